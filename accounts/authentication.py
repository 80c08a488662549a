"""API authentication that also shows the API's answers in the user's language and timezone.

A browser's session is read before the views by accounts.middleware, which activates the
user's language; a token is read by DRF inside the view, after the middleware, so the token
client's language is activated here.
"""

from rest_framework.authentication import TokenAuthentication

from accounts.middleware import activate_for


class UserLanguageTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_for(result[0])
        return result
