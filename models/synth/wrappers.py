"""Spam-wrapper construction: real page lines of news sites and scraper-made lines around a copy."""

from __future__ import annotations

import random

from models.synth.surface import OUTLETS, restyle


class WrapperPool:
    """Boilerplate of one side of the split: real page lines per site, plus scraper-made lines.

    One wrap uses one wrapper family (``corpora.WRAPPER_FAMILIES``): all its real lines come from
    that family's sites, so a family can be held out whole."""

    # How often each family wraps a page: Big9 are 9 sites with whole pages of news-site furniture,
    # WCXB 1,600 domains with a few snippets each; both matter.
    FAMILY_WEIGHTS = {"big9-a": 0.15, "big9-b": 0.15, "wcxb-article": 0.4, "wcxb-other": 0.3}

    def __init__(self, pages: dict[str, list[list[str]]], headlines: list[str], families: dict[str, str]):
        self.sites = sorted(pages)
        self.pages = pages
        self.headlines = headlines
        self.by_family: dict[str, list[str]] = {}
        for site in self.sites:
            self.by_family.setdefault(families.get(site, "wcxb-other"), []).append(site)
        self.families = sorted(self.by_family)

    def family(self, rng: random.Random) -> str:
        return rng.choices(self.families, weights=[self.FAMILY_WEIGHTS.get(f, 0.1) for f in self.families])[0]

    def _procedural(self, rng: random.Random) -> str:
        brand = rng.choice(["QWIKET", "NewsPro", "DailyDeals", "BetKing", "SmartInvest", "Trendly"])
        return rng.choice(
            [
                f"Sponsor: {brand}",
                f"Sponsor: {brand}: {rng.choice(['Elevate your game!', 'Save 50% today.', 'Try it free.'])}",
                "Advertisement",
                "ADVERTISEMENT",
                f"{rng.choice(['Jan', 'Mar', 'Jul', 'Oct'])} {rng.randint(1, 28)}, {rng.randint(2004, 2025)}  |  ",
                f"NextImg:{rng.choice(self.headlines)}",
                f"Read more: {rng.choice(self.headlines)}",
                "Share this article: Facebook Twitter WhatsApp Email",
                "Already a subscriber? Log in.",
                "Subscribe for unlimited access.",
                "We use cookies to improve your experience. Accept all",
                f"© {rng.randint(2005, 2025)} {rng.choice(OUTLETS)}. All rights reserved.",
                "Click here to continue reading",
                f"Source: {rng.choice(OUTLETS)}",
            ]
        )

    def block(self, rng: random.Random, where: str, n: int, family: str | None = None) -> list[str]:
        """``n`` wrapper lines as they would sit at the page's ``where`` ("head", "tail", "middle"),
        from a site of ``family`` (any site when None)."""
        sites = self.by_family[family] if family else self.sites
        site = rng.choice(sites)
        page = rng.choice(self.pages[site])
        if site.startswith("wcxb:") and len(page) < n:  # a few snippets per page: borrow from more pages
            for other in rng.sample(sites, min(6, len(sites))):
                page = page + rng.choice(self.pages[other])
        if where == "head":
            start = rng.randint(0, max(0, min(len(page) - n, 20)))
        elif where == "tail":
            start = max(0, len(page) - n - rng.randint(0, 10))
        else:
            start = rng.randint(0, max(0, len(page) - n))
        lines = page[start : start + n]
        if rng.random() < 0.15:  # a link farm of other headlines
            lines = lines + rng.sample(self.headlines, rng.randint(3, 8))
        if rng.random() < 0.5:
            lines = lines + [self._procedural(rng) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.3:
                rng.shuffle(lines)
        return lines or [self._procedural(rng)]

    def wrap(
        self, paragraphs: list[str], rng: random.Random, headline: str | None = None, light: bool = False
    ) -> tuple[str, str]:
        """Header, footer and/or interleaved injected lines around ``paragraphs``, and the wrapper
        family they came from.

        ``light``: only one or two injected lines, which are enough to make a wrapper.
        """
        family = self.family(rng)
        layout = (
            "light"
            if light
            else rng.choices(["head+tail", "head", "tail", "interleave", "all"], weights=[4, 2, 2, 2, 2])[0]
        )

        def size() -> int:
            return rng.randint(1, 2) if light else rng.randint(2, 14)

        head = (
            self.block(rng, "head", size(), family)
            if layout in ("head+tail", "head", "all") or (light and rng.random() < 0.5)
            else []
        )
        tail = (
            self.block(rng, "tail", size(), family)
            if layout in ("head+tail", "tail", "all") or (light and not head)
            else []
        )
        body = list(paragraphs)
        if layout in ("interleave", "all"):
            step = rng.randint(1, 4)
            mixed = []
            for i, p in enumerate(body):
                mixed.append(p)
                if (i + 1) % step == 0 and i + 1 < len(body):
                    mixed.extend(self.block(rng, "middle", rng.randint(1, 3), family))
            body = mixed
            if not head and not tail and len(mixed) == len(paragraphs):
                tail = self.block(rng, "tail", rng.randint(1, 4), family)
        if headline and rng.random() < 0.6:
            body = [headline, *body]
        sep = rng.choices(["\n\n", "\n"], weights=[1, 1])[0]
        return restyle(sep.join([*head, *body, *tail]), rng), family
