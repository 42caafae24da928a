"""Interface translations: Qt's QTranslator with ``resources/i18n/omnidesk_<lang>.qm``.

The source strings are English (``self.tr("…")``); Russian comes from ``omnidesk_ru.ts``.
Updating and building without make::

    python -m omnidesk_qt.i18n update   # pyside6-lupdate over omnidesk_qt/ and ui/ -> .ts
    python -m omnidesk_qt.i18n build    # pyside6-lrelease: every resources/i18n/*.ts -> .qm
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from omnidesk_qt import paths

log = logging.getLogger(__name__)

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "en"
SOURCE_DIRS = ("omnidesk_qt", "ui")
TRANSLATED = ("ru",)  # languages that have a .ts file (English is the source)
_OBJECT_NAME = "omnidesk-translator"


def resolve_language(language: str) -> str:
    """ "ru"/"en" for a setting value: "system" follows the OS locale; "ru_RU", "en-GB" are cut
    to the language; anything we have no translation for becomes English."""
    lang = language.strip()
    if lang == "system" or not lang:
        lang = QLocale.system().name()  # "ru_RU"
    lang = lang.replace("-", "_").split("_")[0].lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translations_dir() -> Path:
    return paths.resources_dir() / "i18n"


def install_translator(
    app: QCoreApplication, language: str, *, directory: Path | None = None
) -> list[QTranslator]:
    """Install the translators for ``language`` ("system", "ru" or "en") on ``app``, replacing
    the ones a previous call installed. Also loads Qt's own ``qtbase_<lang>.qm`` so that
    standard dialogs and buttons speak the same language. Returns what was installed (the
    translators are children of ``app`` and live as long as it)."""
    lang = resolve_language(language)
    for old in app.findChildren(QTranslator):
        if old.objectName() == _OBJECT_NAME:
            app.removeTranslator(old)
            old.setParent(None)
            old.deleteLater()

    installed: list[QTranslator] = []
    ours = (directory or translations_dir()) / f"omnidesk_{lang}.qm"
    qt_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    candidates = [(ours, lang in TRANSLATED), (qt_dir / f"qtbase_{lang}.qm", False)]
    for path, expected in candidates:
        if not path.is_file():
            if expected:
                log.warning("no translation %s: the interface stays in English", path)
            continue
        translator = QTranslator(app)
        translator.setObjectName(_OBJECT_NAME)
        if not translator.load(str(path)):
            log.warning("cannot load the translation %s", path)
            translator.setParent(None)
            continue
        app.installTranslator(translator)
        installed.append(translator)
    # Dates, times and numbers in the same language as the words ("7 сентября", not "7
    # September"): the system's own locale when it speaks that language (its regional formats),
    # else the language's.
    system = QLocale.system()
    wanted = QLocale(lang)
    QLocale.setDefault(system if system.language() == wanted.language() else wanted)
    log.info("interface language %s (%d translation files)", lang, len(installed))
    return installed


# --- building --------------------------------------------------------------------------------
def find_tool(name: str) -> Path | None:
    """A PySide6 tool (``pyside6-lrelease``, ``pyside6-lupdate``): next to the running Python
    (a venv's bin/ or Scripts\\), else on PATH, else the binary inside the PySide6 package."""
    exe = name + (".exe" if sys.platform == "win32" else "")
    # Not resolved: a venv's python is a symlink to the base interpreter, the tools are not.
    beside = Path(sys.executable).parent / exe
    if beside.is_file():
        return beside
    found = shutil.which(name)
    if found:
        return Path(found)
    # The wrapper scripts only start the binaries that the PySide6 wheel ships in its folder.
    import PySide6

    bundled = Path(PySide6.__file__).parent / (name.removeprefix("pyside6-") + exe[len(name) :])
    return bundled if bundled.is_file() else None


def _run_tool(name: str, args: Sequence[str]) -> str:
    tool = find_tool(name)
    if tool is None:
        raise FileNotFoundError(f"{name} not found: it comes with PySide6 (pip install pyside6)")
    proc = subprocess.run([str(tool), *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    return proc.stdout


def build_translations(directory: Path | None = None) -> list[Path]:
    """Compile every ``*.ts`` in ``directory`` (default ``resources/i18n``) into the ``.qm``
    beside it; returns the ``.qm`` files."""
    folder = directory or translations_dir()
    built: list[Path] = []
    for ts in sorted(folder.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        _run_tool("pyside6-lrelease", [str(ts), "-qm", str(qm)])
        if not qm.is_file():
            raise RuntimeError(f"pyside6-lrelease did not write {qm}")
        built.append(qm)
        log.info("built %s", qm)
    return built


def source_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for sub in SOURCE_DIRS:
        base = root / sub
        files += sorted(p for p in base.rglob("*") if p.suffix in (".py", ".ui"))
    return files


def update_translations(
    root: Path | None = None, languages: Iterable[str] = TRANSLATED
) -> list[Path]:
    """Extract the strings of ``omnidesk_qt/`` and ``ui/`` into ``resources/i18n/omnidesk_<lang>
    .ts`` (existing translations are kept); returns the .ts files."""
    base = root or paths.resources_dir().parent
    sources = [str(p) for p in source_files(base)]
    out_dir = base / "resources" / "i18n"
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for lang in languages:
        ts = out_dir / f"omnidesk_{lang}.ts"
        _run_tool("pyside6-lupdate", [*sources, "-target-language", lang, "-ts", str(ts)])
        written.append(ts)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m omnidesk_qt.i18n", description="Update and build the translations."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="compile resources/i18n/*.ts into .qm")
    build.add_argument("directory", nargs="?", type=Path, help="a folder of .ts files")
    sub.add_parser("update", help="extract strings from omnidesk_qt/ and ui/ into the .ts files")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            for path in build_translations(args.directory):
                print(f"built {path}")
        else:
            for path in update_translations():
                print(f"updated {path}")
    except (OSError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
