"""The committee's move of an entry to another category's consideration for the prizes (issue 9).

The entry's own category does not change: it is no longer proposed in its own category's tiers, and the
committee may place it in the tiers of `category`. An AwardDecision's `category` says where it was awarded.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Edition
from submissions.models import Application, Category


class CategoryConsideration(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="category_considerations")
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="category_consideration")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("considered in"))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("category consideration")
        verbose_name_plural = _("category considerations")
        ordering = ["edition", "category", "id"]

    def __str__(self) -> str:
        return f"{self.application} → {self.category}"
