from rest_framework.authentication import TokenAuthentication


class ProfileTokenAuthentication(TokenAuthentication):
    """Token auth that loads the user's profile in the same query: nearly every endpoint needs the
    profile (time zone, target), and a second query per request is measurable."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__profile").get(key=key)
        except model.DoesNotExist:
            token = None
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # raises the standard 401
        return (token.user, token)
