"""Device identity (reference devices-get): an event names its capture device by a device_id of the box's
device list, with that device's IP and name, in every interface that carries one (v2 media_device_info,
picture search and upload ep_info). The caller passes the requirement ids of the interface it judges.

==================  ===========================================================================
check               deviation
==================  ===========================================================================
devices.entries     a listed device without string device_ip, device_name or device_type
devices.listed_id   a device_id that is not a listed device (or not the known producing device)
devices.ip_name     an IP or name other than the producing device's listed device_ip/device_name
==================  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.checks.check_registry import check
from conformance.checks.findings import Finding, FindingCategory, deviation

ENTRY_FIELDS = ("device_ip", "device_name", "device_type")


@dataclass(frozen=True)
class DeviceRef:
    """How one event names its device; `producer` is the device the oracle knows produced it, if any."""

    where: str
    device_id: Any
    ip: Any
    name: Any
    producer: str | None = None


def device_table(devices_list: Iterable[Any]) -> dict[str, Mapping[str, Any]]:
    """Listed devices by device_id (entries without a string device_id are left out)."""
    return {
        str(item["device_id"]): item
        for item in devices_list
        if isinstance(item, Mapping) and isinstance(item.get("device_id"), str)
    }


@check("devices.entries")
def entries(devices_list: Sequence[Any], *, requirements: Sequence[str] = ()) -> list[Finding]:
    """Every listed device carries device_ip, device_name and device_type as strings."""
    findings = []
    for index, item in enumerate(devices_list):
        entry = item if isinstance(item, Mapping) else {}
        bad = [key for key in ENTRY_FIELDS if not isinstance(entry.get(key), str)]
        if bad:
            found = {key: entry.get(key, "<absent>") for key in bad}
            findings.append(
                deviation(
                    f"device {entry.get('device_id', index)!r} has no string {', '.join(bad)} ({found})",
                    FindingCategory.SCHEMA,
                    device=entry.get("device_id", index),
                    fields=bad,
                )
            )
    return findings


@check("devices.listed_id")
def listed_id(
    refs: Sequence[DeviceRef], devices: Mapping[str, Mapping[str, Any]], *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Each device_id is a listed device's id, and the producing device's when the oracle knows it."""
    findings = []
    for ref in refs:
        if not isinstance(ref.device_id, str) or ref.device_id not in devices:
            findings.append(
                deviation(
                    f"{ref.where}: device id {ref.device_id!r} is not a device_id of the device list "
                    f"({', '.join(sorted(devices)) or 'empty'})",
                    where=ref.where,
                    device_id=ref.device_id,
                )
            )
        elif ref.producer is not None and ref.device_id != ref.producer:
            findings.append(
                deviation(
                    f"{ref.where}: device id {ref.device_id!r}, the event was produced by {ref.producer!r}",
                    where=ref.where,
                    device_id=ref.device_id,
                    producer=ref.producer,
                )
            )
    return findings


@check("devices.ip_name")
def ip_name(
    refs: Sequence[DeviceRef], devices: Mapping[str, Mapping[str, Any]], *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """IP and name are the listed device_ip and device_name of the producing (else the named) device."""
    findings = []
    for ref in refs:
        device = devices.get(ref.producer if ref.producer is not None else str(ref.device_id))
        if device is None:
            continue  # an unknown device is listed_id's finding
        for label, got, listed in (("IP", ref.ip, "device_ip"), ("name", ref.name, "device_name")):
            if got != device.get(listed):
                findings.append(
                    deviation(
                        f"{ref.where}: device {label} {got!r}, the device list says {device.get(listed)!r} "
                        f"for {device.get('device_id')!r}",
                        where=ref.where,
                        field=label,
                        got=got,
                        listed=device.get(listed),
                    )
                )
    return findings
