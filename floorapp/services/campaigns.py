"""Campaigns (外呼类型): each with its type coefficient that weights the calls made on it.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.

Reference table ``campaigns``: ``{id, name, coefficient}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from floorapp.rules import quota as rules
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.rules.staff import check_id

if TYPE_CHECKING:
    from floorapp.services.core import Floor

CAMPAIGNS = "campaigns"
REF = "ref"


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    coefficient: Decimal


class QuotaCampaigns:
    """Keeping the list of campaigns and their coefficients (``floor campaign set|list``).

    A part of ``QuotaService`` (floorapp/services/quota.py), which holds ``floor`` and the floor-
    day the parts share."""

    floor: Floor

    def campaigns(self) -> dict[str, Campaign]:
        out = {}
        for record in self.floor.store.records(REF, CAMPAIGNS):
            out[record["id"]] = Campaign(record["id"], record["name"],
                                         Decimal(record["coefficient"]))
        return out

    def coefficients(self) -> dict[str, Decimal]:
        return {c.id: c.coefficient for c in self.campaigns().values()}

    def save_campaign(self, campaign_id: str, name: str, coefficient: str | Decimal) -> Campaign:
        """Add or change a campaign (外呼类型) and its type coefficient."""
        self.floor.require("quota.record")
        problem = check_id(campaign_id)
        if problem:
            raise FloorError(problem.replace("staff id", "campaign id")
                             .replace("员工编号", "项目编号"))
        try:
            value = Decimal(str(coefficient))
        except InvalidOperation:
            raise FloorError(_("coefficient {value!r} is not a number").format(
                value=coefficient)) from None
        if not value.is_finite() or value <= 0:
            raise FloorError(_("coefficient {value} must be more than 0").format(value=coefficient))
        if value > rules.MAX_COEFFICIENT or not re.fullmatch(r"\d+(\.\d+)?", str(coefficient)):
            raise FloorError(_("coefficient {value} must be a plain number up to {most} "
                               "(e.g. 1.2)").format(value=coefficient, most=rules.MAX_COEFFICIENT))
        campaign = Campaign(campaign_id, name or campaign_id, value)
        with self.floor.transaction() as tx:
            tx.put(REF, CAMPAIGNS, campaign_id,
                   {"id": campaign_id, "name": campaign.name, "coefficient": str(value)})
        return campaign


def campaign_saved_text(campaign: Campaign) -> str:
    """What ``floor campaign set`` prints."""
    return _("campaign {id} {name}: coefficient {coefficient}").format(
        id=campaign.id, name=campaign.name, coefficient=campaign.coefficient)


def campaign_list_text(campaigns: dict[str, Campaign], default_coefficient: Decimal) -> str:
    """What ``floor campaign list`` prints."""
    rows = [f"{c.id}\t{c.name}\t{c.coefficient}"
            for c in sorted(campaigns.values(), key=lambda c: c.id)]
    return "\n".join(rows) or _("no campaigns (calls without one count × {coefficient})").format(
        coefficient=default_coefficient)
