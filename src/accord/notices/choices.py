from django.db import models


class NoticeKind(models.TextChoices):
    FUNDING_ENDING = "funding_ending", "Funding ending within 3 months"
    REVIEW_DUE = "review_due", "A duty-to-collaborate review due"
    EDITED = "edited", "A collaboration you lead edited by someone else"


#: What the account page says about each, in the words of the person who gets them.
NOTICE_HINTS = {
    NoticeKind.FUNDING_ENDING: "When the funding of a collaboration you lead ends in the next "
    "3 months.",
    NoticeKind.REVIEW_DUE: "When a collaboration you lead is due its yearly duty-to-collaborate "
    "review, a month before.",
    NoticeKind.EDITED: "When someone who does not lead a collaboration you lead changes it.",
}
