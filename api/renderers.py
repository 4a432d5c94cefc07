from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    """DRF's renderer, which can also write a string that UTF-8 cannot encode (escaped, as JSON
    allows), so that no error message can turn into a 500."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            self.ensure_ascii = True
            try:
                return super().render(data, accepted_media_type, renderer_context)
            finally:
                self.ensure_ascii = False
