"""Which mutant runs to make: the clean run, one per fault, one per variation, with their selections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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

    @property
    def faults(self) -> tuple[str, ...]:
        """The names to switch on in the emulator."""
        if self.switches is not None:
            return self.switches
        return () if self.kind == CLEAN else (self.name,)


def _mutant(catalog: FaultCatalog, name: str, quick: bool) -> Mutant:
    fault = catalog.get(name)
    if fault.kind == FAULT:
        selection = fault.requirements if quick else ()
        return Mutant(name, FAULT, STRICT, fault.requirements, fault.description, fault.area, (), selection)
    selection = variation_selection(catalog, fault) if quick else ()
    return Mutant(name, VARIATION, LENIENT, (), fault.description, fault.area, fault.errata, selection)


def variation_selection(catalog: FaultCatalog, variation: CatalogFault) -> tuple[str, ...]:
    """The requirement patterns a quick run of this variation keeps: the interfaces it bends."""
    areas = [variation.area, *(catalog.get(name).area for name in variation.implies)]
    patterns = [p for area in areas for p in AREA_QUICK_SELECTIONS.get(area, ())]
    return tuple(dict.fromkeys(patterns)) or VARIATION_QUICK_SELECTION


def build_plan(
    faults: Sequence[str] | None = None,
    variations: Sequence[str] | None = None,
    *,
    quick: bool = False,
    catalog: FaultCatalog | None = None,
) -> list[Mutant]:
    """Clean runs (strict, and lenient when variations run) first, then the named or all mutants.

    `faults` / `variations` None means every one of the catalog (default: the emulator's); unknown names
    raise PlanError. Quick plans run all variations at once, unless they are named.
    """
    catalog = catalog or load_catalog()
    try:
        fault_names = [f.name for f in catalog.faults()] if faults is None else list(faults)
        variation_names = [v.name for v in catalog.variations()] if variations is None else list(variations)
        mutants = [_mutant(catalog, n, quick) for n in [*fault_names, *variation_names]]
    except UnknownFaultError as exc:
        raise PlanError(str(exc)) from None
    wrong = [m.name for m in mutants[: len(fault_names)] if m.kind != FAULT]
    wrong += [m.name for m in mutants[len(fault_names) :] if m.kind != VARIATION]
    if wrong:
        raise PlanError(f"listed in the wrong group (fault vs variation): {', '.join(wrong)}")
    if quick and variations is None:
        mutants = _combine_variations(mutants)
    cleans = [_clean(STRICT, [m for m in mutants if m.profile == STRICT], quick)]
    if any(m.kind == VARIATION for m in mutants):
        cleans.append(_clean(LENIENT, [m for m in mutants if m.profile == LENIENT], quick))
    return cleans + mutants


def _clean(profile: str, mutants: list[Mutant], quick: bool) -> Mutant:
    """The no-fault run of one profile, over the union of the selections it is compared with."""
    selection: tuple[str, ...] = ()
    if quick:
        selection = tuple(dict.fromkeys(p for m in mutants for p in m.selection))
    name = CLEAN if profile == STRICT else f"{CLEAN}-{profile}"
    return Mutant(name, CLEAN, profile, description=f"no fault, profile {profile}", selection=selection)


def _combine_variations(mutants: list[Mutant]) -> list[Mutant]:
    """Quick runs switch every variation on at once (they are compatible): one run instead of one each."""
    variations = [m for m in mutants if m.kind == VARIATION]
    if len(variations) < 2:
        return mutants
    combined = Mutant(
        COMBINED_VARIATIONS,
        VARIATION,
        LENIENT,
        description="every variation at once: " + ", ".join(m.name for m in variations),
        area="variation",
        errata=tuple(dict.fromkeys(e for m in variations for e in m.errata)),
        selection=tuple(dict.fromkeys(p for m in variations for p in m.selection)),
        switches=tuple(m.name for m in variations),
    )
    return [m for m in mutants if m.kind != VARIATION] + [combined]
