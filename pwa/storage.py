"""Static files in production: compressed (gzip and Brotli), named by their content's hash so that
they can be cached for a year, and the PWA's JavaScript modules rewritten to import each other by
their hashed names (Django's module-import support), so that a new release is never half old."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
