"""The specification as data: schemas, errata, requirement catalog, validators."""
