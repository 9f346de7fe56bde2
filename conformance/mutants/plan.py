"""Which mutant runs to make: the clean run, one per fault, one per variation, with their selections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from conformance.mutants.child_run import CONTROL, MODES
from conformance.mutants.fault_catalog import (
    FAULT,
    VARIATION,
    CatalogFault,
    FaultCatalog,
    UnknownFaultError,
    load_catalog,
)

CLEAN = "clean"
STRICT = "strict"
LENIENT = "lenient"
# Quick runs of a variation: the interfaces it bends. By default the HTTP v2/v1 answers; a variation of
# picture search, the WebSocket or uploads (its own area or that of a fault it implies) runs those areas.
VARIATION_QUICK_SELECTION: tuple[str, ...] = ("V2Q-*", "V2EV-*", "V2G-*", "V1Q-*", "V1EV-*")
AREA_QUICK_SELECTIONS: dict[str, tuple[str, ...]] = {
    "picture-search": ("PS-*",),
    "websocket": ("WS-*",),
    "uploads": ("UP-*", "UPC-*"),
}
COMBINED_VARIATIONS = "variations-combined"
BLIND_QUICK_FAMILIES = ("v2_queries", "websocket", "picture_search", "upload")  # see blind_quick_faults


class PlanError(ValueError):
    """A mutant name that is neither a fault nor a variation of the catalog."""


@dataclass(frozen=True)
class Mutant:
    """One suite run: the behaviour switched on (none for clean), the profile, the test selection."""

    name: str
    kind: str  # "clean", "fault" or "variation"
    profile: str
    requirements: tuple[str, ...] = ()
    description: str = ""
    area: str = ""
    errata: tuple[str, ...] = ()
    selection: tuple[str, ...] = ()  # requirement patterns; () = the whole suite
    switches: tuple[str, ...] | None = None  # what to switch on; None = the mutant's own name
    mode: str = CONTROL  # control: the embedded emulator with its control plane; blind: a site-mode box
    observable: bool = True  # a fault the suite is expected to kill in this mode
    unobservable_reason: str = ""  # why not (the catalog's blind_reason), when not observable
    smoke: bool = False  # a false-alarm sweep: schemathesis at the smoke budget under the gate profile

    @property
    def faults(self) -> tuple[str, ...]:
        """The names to switch on in the emulator."""
        if self.switches is not None:
            return self.switches
        return () if self.kind == CLEAN else (self.name,)


def _mutant(catalog: FaultCatalog, name: str, quick: bool, mode: str, narrow: bool) -> Mutant:
    fault = catalog.get(name)
    if fault.kind == FAULT:
        # A kill needs a finding naming one of the fault's requirements, so the tests naming them are the
        # only ones that can kill it: narrowing to them loses no kill (quick runs always narrow).
        selection = fault.requirements if quick or narrow else ()
        observable = mode == CONTROL or fault.observable_without_control
        reason = "" if observable else (fault.blind_reason or "not observable without a control plane")
        return Mutant(
            name,
            FAULT,
            STRICT,
            fault.requirements,
            fault.description,
            fault.area,
            (),
            selection,
            mode=mode,
            observable=observable,
            unobservable_reason=reason,
        )
    selection = variation_selection(catalog, fault) if quick else ()
    return Mutant(
        name, VARIATION, LENIENT, (), fault.description, fault.area, fault.errata, selection, mode=mode
    )


def variation_selection(catalog: FaultCatalog, variation: CatalogFault) -> tuple[str, ...]:
    """The requirement patterns a quick run of this variation keeps: those it says it probes (`must_pass`;
    "*" is the whole suite, ()), else the interfaces it bends."""
    if "*" in variation.must_pass:
        return ()
    areas = [variation.area, *(catalog.get(name).area for name in variation.implies)]
    patterns = [*variation.must_pass, *(p for area in areas for p in AREA_QUICK_SELECTIONS.get(area, ()))]
    if not variation.must_pass and not patterns:
        patterns = list(VARIATION_QUICK_SELECTION)
    return tuple(dict.fromkeys(patterns))


def build_plan(
    faults: Sequence[str] | None = None,
    variations: Sequence[str] | None = None,
    *,
    quick: bool = False,
    catalog: FaultCatalog | None = None,
    mode: str = CONTROL,
    narrow: bool = False,
) -> list[Mutant]:
    """Clean runs (strict, and lenient when variations run) first, then the named or all mutants.

    `faults` / `variations` None means every one of the catalog (default: the emulator's); unknown names
    raise PlanError. Quick plans run all variations at once, unless they are named. `mode` is control or
    blind (every run judges a site-mode box); `narrow` runs each fault on the tests naming its requirements.
    """
    catalog = catalog or load_catalog()
    try:
        fault_names = [f.name for f in catalog.faults()] if faults is None else list(faults)
        variation_names = [v.name for v in catalog.variations()] if variations is None else list(variations)
        mutants = [_mutant(catalog, n, quick, mode, narrow) for n in [*fault_names, *variation_names]]
    except UnknownFaultError as exc:
        raise PlanError(str(exc)) from None
    wrong = [m.name for m in mutants[: len(fault_names)] if m.kind != FAULT]
    wrong += [m.name for m in mutants[len(fault_names) :] if m.kind != VARIATION]
    if wrong:
        raise PlanError(f"listed in the wrong group (fault vs variation): {', '.join(wrong)}")
    combined = quick and variations is None
    if combined:
        mutants = _combine_variations(catalog, mutants)
    strict = [m for m in mutants if m.profile == STRICT]
    # The strict clean run is the faults' reference; a plan of variations alone needs none.
    cleans = [_clean(STRICT, strict, quick, mode)] if strict or not mutants else []
    # A lenient clean run only tells a false alarm from a lenient failure of the clean box; either fails the
    # matrix, so quick plans whose variations run combined leave it out (a failure there is a false alarm).
    if any(m.kind == VARIATION for m in mutants) and not combined:
        cleans.append(_clean(LENIENT, [m for m in mutants if m.profile == LENIENT], quick, mode))
    return cleans + mutants


def build_plans(
    faults: Mapping[str, Sequence[str] | None],
    variations: Sequence[str] | None = None,
    *,
    quick: bool = False,
    narrow: bool = False,
    catalog: FaultCatalog | None = None,
) -> list[Mutant]:
    """One plan per mode (`faults` maps each mode to its faults, in the order to run): the matrix's runs."""
    unknown = sorted(set(faults) - set(MODES))
    if unknown:
        raise PlanError(f"unknown mode {unknown[0]!r}; known: {', '.join(MODES)}")
    ordered = list(faults)  # in the order given: the first mode's runs go first
    return [
        m
        for mode in ordered
        for m in build_plan(faults[mode], variations, quick=quick, catalog=catalog, mode=mode, narrow=narrow)
    ]


def blind_quick_faults(catalog: FaultCatalog) -> list[str]:
    """`--quick --blind`'s faults: of the quick faults observable without a control plane, the first of each
    family in BLIND_QUICK_FAMILIES. A site-mode run costs about twice a control one (history, live traffic,
    the real-box upload path), so CI runs few: one per interface whose site-mode judging differs most from
    the control plane's (history queries, live pushes and uploads, search of the box's own pictures)."""
    chosen: dict[str, str] = {}
    for fault in catalog.faults():
        if fault.quick and fault.observable_without_control and fault.family in BLIND_QUICK_FAMILIES:
            chosen.setdefault(fault.family, fault.name)
    return [chosen[family] for family in BLIND_QUICK_FAMILIES if family in chosen]


def _clean(profile: str, mutants: list[Mutant], quick: bool, mode: str) -> Mutant:
    """The no-fault run of one profile, over the union of the selections it is compared with."""
    selection: tuple[str, ...] = ()
    if quick and mutants:
        selection = _union_selection(mutants)
    name = CLEAN if profile == STRICT else f"{CLEAN}-{profile}"
    description = f"no fault, profile {profile}"
    return Mutant(name, CLEAN, profile, description=description, selection=selection, mode=mode)


def _combine_variations(catalog: FaultCatalog, mutants: list[Mutant]) -> list[Mutant]:
    """Quick runs switch compatible variations on at once: one run per group of variations that declare no
    conflict with each other (a quiet box runs apart from a busy one), instead of one run each. A variation
    that starts a later group takes along every variation compatible with it (the quiet box runs with the
    gzip, microsecond, 422 … variations too), so each variation is judged beside every one it can meet."""
    variations = [m for m in mutants if m.kind == VARIATION]
    if len(variations) < 2:
        return mutants
    groups: list[list[Mutant]] = []
    for variation in variations:
        if any(variation in group for group in groups):
            continue
        group = [variation]
        for other in variations:
            if other is not variation and not any(_conflict(catalog, other.name, m.name) for m in group):
                group.append(other)
        groups.append(sorted(group, key=variations.index))
    combined = [
        _combined(group, COMBINED_VARIATIONS if i == 0 else f"{COMBINED_VARIATIONS}-{i + 1}")
        for i, group in enumerate(groups)
    ]
    return [m for m in mutants if m.kind != VARIATION] + combined


def _conflict(catalog: FaultCatalog, one: str, other: str) -> bool:
    return other in catalog.get(one).conflicts or one in catalog.get(other).conflicts


def _combined(group: list[Mutant], name: str) -> Mutant:
    """One lenient run with every variation of `group` on (a group of one stays itself)."""
    if len(group) == 1:
        return group[0]
    return Mutant(
        name,
        VARIATION,
        LENIENT,
        description="variations at once (a false-alarm sweep): " + ", ".join(m.name for m in group),
        area="variation",
        errata=tuple(dict.fromkeys(e for m in group for e in m.errata)),
        selection=_union_selection(group),
        switches=tuple(m.name for m in group),
        mode=group[0].mode,
        smoke=True,
    )


def _union_selection(mutants: Sequence[Mutant]) -> tuple[str, ...]:
    """The selection covering every one of `mutants` (() when one of them runs the whole suite)."""
    if any(not m.selection for m in mutants):
        return ()
    return tuple(dict.fromkeys(p for m in mutants for p in m.selection))
