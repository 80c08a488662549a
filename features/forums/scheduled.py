from features.forums import actions
from notifications.jobs import periodic


@periodic("forums.mail_posts", every_seconds=60)
def mail_posts():
    """Mails the posts whose edit window has passed to their subscribers (each-post readers)."""
    return actions.mail_posts()


@periodic("forums.daily_digest", every_seconds=3600)
def daily_digest():
    """Sends the digest readers yesterday's posts, once a day (hourly runs send nothing new)."""
    return actions.send_daily_digests()
