"""Join the coalition as soon as an invited person's account exists."""
from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from .adapters import INVITATION_SESSION_KEY


@receiver(user_signed_up)
def accept_pending_invitation(sender, request, user, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from coalitions.services import InvitationError, invitation_accept

    token = request.session.pop(INVITATION_SESSION_KEY, None) if request is not None else None
    if not token:
        return
    try:
        invitation_accept(token=token, user=user)
    except InvitationError:
        # The form already refused a mismatched address; a race (revoked meanwhile) leaves an
        # account with no coalition, which is harmless and shown as such on the home page.
        pass
