from wagtail import hooks
from wagtail.permissions import register_permission_policy

from . import help  # noqa: F401  (the Vietnamese guide: admin URLs and help menu)
from .models import LoginLockout
from .views import LoginLockoutPermissionPolicy, LoginLockoutViewSet

register_permission_policy(LoginLockout, LoginLockoutPermissionPolicy(LoginLockout))


@hooks.register("register_admin_viewset")
def register_login_lockouts():
    return LoginLockoutViewSet()
