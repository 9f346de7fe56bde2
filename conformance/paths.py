"""Where the project's data lives, found from the installed package so commands work from any directory."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = PROJECT_ROOT / "schemas"
JSON_SCHEMAS_DIR = SCHEMAS_DIR / "json"
OPENAPI_PATH = SCHEMAS_DIR / "openapi" / "box.yaml"
ASYNCAPI_PATH = SCHEMAS_DIR / "asyncapi" / "websocket.yaml"
ERRATA_PATH = SCHEMAS_DIR / "errata.yaml"
REQUIREMENTS_PATH = SCHEMAS_DIR / "requirements.yaml"
SCENARIOS_DIR = PROJECT_ROOT / "scenarios"
REPORTS_DIR = PROJECT_ROOT / "reports"
SOURCES_DIR = PROJECT_ROOT / "sources"
SEEDS_DIR = SOURCES_DIR / "seeds"
REFERENCE_DIR = SOURCES_DIR / "reference"
