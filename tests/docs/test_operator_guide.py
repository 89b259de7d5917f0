"""The operator guides, run: docs/fr/exploitation.md and its twin docs/en/operations.md.

Marking convention. The words after the language on a fence's opening line (invisible once
GitHub renders the page) say what this test does with the block:

    ```bash                 run in the sandbox; exit status 0 expected
    ```bash exit=N          run; exit status N expected (a refusal the guide demonstrates)
    ```bash edit-env        run; the KEY=VALUE lines it prints go into .env, as the operator
                            is told to copy them (key generation, `talento keys rotate`)
    ```bash postgresql      run against PostgreSQL only (the seed's `pg_dump talento_db`)
    ```bash example         run with its <placeholders> filled in (FILLED: the key found
                            again, the one in the safe...)
    ```bash skip-<why>      not run; SKIP_REASONS gives the reason (root, systemd, ...)
    ```dotenv edit-env      these lines go into the sandbox's .env
    ```dotenv               shown only (placeholders), like ```text and ```nginx blocks

A line `<!-- sandbox: STEP -->` between blocks is a sandbox step (STEPS): it does what a root
block above did on the server (the nightly backup unit, emptying the database before a
restore), or creates the situation the next section is about (the seed's lost ENCRYPTION_KEY).

The sandbox is a project-like temporary directory: symlinks to the code, .venv, Makefile,
app.py, migrations_init.py..., its own .env (written by the guide's `talento init-env`), an
environment built from scratch (PATH with .venv/bin first, TALENTO_ENV_FILE on the sandbox's
.env, database, uploads, backups, outbox and log file inside the sandbox, so no block can touch
the developer's instance/). Blocks run in document order, in `bash -euo pipefail`, stdin from
/dev/null, with a timeout, so state carries from one to the next (init-env, init-db, doctor,
rotation, lost key, backup, restore...). In the blocks, /opt/talento becomes the sandbox,
/var/log/talento its log folder, /etc/talento its etc/talento and talento_db the PostgreSQL
database of the run. Only the
French guide runs: the twin test proves the English one holds the same commands.
"""

from __future__ import annotations

import base64
import os
import re
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from talento.settings import PROJECT_ROOT, normalise_database_url
from tests.helpers import _pg_available, default_backend, pg_url

GUIDES = {
    "fr": PROJECT_ROOT / "docs" / "fr" / "exploitation.md",
    "en": PROJECT_ROOT / "docs" / "en" / "operations.md",
}
SKIP_REASONS = {
    "skip-root": "needs root: apt, sudo, files under /etc, other users",
    "skip-systemd": "needs the systemd service running",
    "skip-nginx": "needs nginx serving the site (nginx -t is in tests/deploy)",
    "skip-forever": "never returns: a server or `tail -f`",
    "skip-interactive": "waits for typing at a terminal; a piped form follows it",
    "skip-network": "needs the network or a git clone",
    "skip-example": "holds placeholders <...> to replace",
    "skip-suite": "is this very test suite (`make test`)",
}
#: Skip reasons a block with a `talento`/`make`/`python3` command may carry: those commands run
#: as the talento user, never as root, and need no running service.
COMMAND_SKIPS = {"skip-interactive", "skip-example", "skip-forever", "skip-suite"}
STEPS = ("lose-key", "nightly-backup", "prepare-restore")
RUN_MARKERS = {"edit-env", "postgresql", "example"}
#: What the sandbox puts in place of the French guide's placeholders, in `example` blocks.
FILLED = {
    "<clé-du-coffre>": "current key",  # the copy in the safe is the key in .env
    "<clé-retrouvée>": "lost key",  # troubleshooting, case 1: the old key turns up
    "<ancienne-clé>": "lost key",  # after `keys adopt`: the old key turns up, `keys recover`
}
LANGUAGES = {"bash", "dotenv", "nginx", "text"}
BLOCK_TIMEOUT = 90

#: The seed guide's commands, kept word for word (the ones marked True must run in the sandbox).
SEED_COMMANDS = {
    """python3 -c 'import secrets; print("SECRET_KEY=" + secrets.token_hex(32))'""": True,
    "python3 -c 'from cryptography.fernet import Fernet; "
    """print("ENCRYPTION_KEY=" + Fernet.generate_key().decode())'""": True,
    "python3 migrations_init.py": True,
    "chmod 600 .env": True,
    "ls -la .env": True,
    'cat .gitignore | grep "^\\.env$"': True,
    "pg_dump talento_db > backup_$(date +%Y%m%d).sql": True,
    "gunicorn --bind 0.0.0.0:5004 --reuse-port --workers 4 app:app": True,
    "sudo systemctl restart talento": False,
    "sudo systemctl restart nginx": False,
    "tail -f /var/log/talento/app.log": False,
    "tail -f /var/log/nginx/error.log": False,
    "tail -f /var/log/nginx/access.log": False,
    "sudo journalctl -u talento -f": False,
}

FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^`]*)$")
STEP = re.compile(r"^<!-- sandbox: (?P<name>[a-z-]+) -->$")
PLACEHOLDER = re.compile(r"<[^<>\s=][^<>]*>")
EXIT = re.compile(r"^exit=(\d+)$")
ENV_LINE = re.compile(r"^\s*([A-Z][A-Z0-9_]*)=(\S*)\s*$")
COMMAND_IN_TEXT = re.compile(r"^\s*(sudo|talento|make|python3|gunicorn|pg_dump|curl)\b")
TALENTO_COMMAND = re.compile(
    r"(^|[|;&(]\s*)(talento\s+[a-z]|make\b|python3 migrations_init\.py|python3 -c)"
)


@dataclass(frozen=True)
class Block:
    line: int
    lang: str
    markers: tuple[str, ...]
    text: str

    @property
    def commands(self) -> tuple[str, ...]:
        """Non-comment lines, placeholders normalised: what the twin must repeat."""
        lines = (line.strip() for line in self.text.splitlines())
        return tuple(PLACEHOLDER.sub("<…>", line) for line in lines if line and line[0] != "#")

    @property
    def skip(self) -> str | None:
        return next((m for m in self.markers if m.startswith("skip-")), None)

    @property
    def expected_status(self) -> int:
        return next((int(m[5:]) for m in self.markers if EXIT.match(m)), 0)

    @property
    def runs_a_command(self) -> bool:
        return any(TALENTO_COMMAND.search(line) for line in self.commands)

    def __str__(self) -> str:
        first = self.commands[0] if self.commands else ""
        return f"line {self.line} ```{' '.join((self.lang, *self.markers))}: {first}"


@dataclass(frozen=True)
class Step:
    line: int
    name: str


def parse(path: Path) -> list[Block | Step]:
    items: list[Block | Step] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        step = STEP.match(line.strip())
        if step:
            items.append(Step(index + 1, step["name"]))
        fence = FENCE.match(line)
        if fence:
            indent = fence["indent"]
            words = fence["info"].split()
            body: list[str] = []
            index += 1
            while index < len(lines) and lines[index].strip() != "```":
                body.append(lines[index][len(indent) :])
                index += 1
            assert index < len(lines), f"{path}: unclosed code block at line {index}"
            lang = words[0] if words else ""
            items.append(Block(index - len(body), lang, tuple(words[1:]), "\n".join(body)))
        index += 1
    return items


def blocks(path: Path) -> list[Block]:
    return [item for item in parse(path) if isinstance(item, Block)]


# --- the guides themselves -------------------------------------------------------------------


def test_the_english_guide_is_a_twin_of_the_french_one():
    french, english = parse(GUIDES["fr"]), parse(GUIDES["en"])
    assert len(french) == len(english), "not the same number of code blocks and sandbox steps"
    for fr, en in zip(french, english, strict=True):
        assert type(fr) is type(en), f"fr {fr} / en {en}"
        if isinstance(fr, Step):
            assert fr.name == en.name, f"fr line {fr.line} / en line {en.line}"
            continue
        assert (fr.lang, fr.markers) == (en.lang, en.markers), f"fr {fr} / en {en}"
        assert fr.commands == en.commands, f"fr {fr} / en {en}"


@pytest.mark.parametrize("lang", sorted(GUIDES))
def test_every_block_is_run_or_says_why_not(lang):
    found = blocks(GUIDES[lang])
    assert found, "no code block"
    for block in found:
        assert block.lang in LANGUAGES, f"{block}: say the language (bash, dotenv, ...)"
        if block.lang == "bash":
            skips = [m for m in block.markers if m.startswith("skip-")]
            assert len(skips) <= 1, f"{block}: one skip reason at most"
            for marker in block.markers:
                known = marker in SKIP_REASONS or marker in RUN_MARKERS or EXIT.match(marker)
                assert known, f"{block}: unknown marker {marker!r}"
            if block.skip is None and "example" not in block.markers:
                assert not PLACEHOLDER.search(block.text), f"{block}: placeholder in a run block"
            if "example" in block.markers and lang == "fr":
                for placeholder in PLACEHOLDER.findall(block.text):
                    assert placeholder in FILLED, f"{block}: the sandbox cannot fill {placeholder}"
            if block.skip is not None and block.runs_a_command:
                assert block.skip in COMMAND_SKIPS, (
                    f"{block}: talento, make and python3 commands run as the talento user, "
                    f"never {block.skip}"
                )
        else:
            assert set(block.markers) <= ({"edit-env"} if block.lang == "dotenv" else set()), (
                f"{block}: unknown marker"
            )
            for line in block.text.splitlines():
                assert not COMMAND_IN_TEXT.match(line), f"{block}: a command outside a bash block"
                if block.lang == "dotenv" and line.strip() and not line.startswith("#"):
                    assert ENV_LINE.match(line), f"{block}: not a KEY=VALUE line: {line!r}"
    steps = [item.name for item in parse(GUIDES[lang]) if isinstance(item, Step)]
    assert set(steps) <= set(STEPS), f"unknown sandbox step in {steps}"
    run = [b for b in found if b.lang == "bash" and b.skip is None and b.runs_a_command]
    assert len(run) >= 20, f"only {len(run)} blocks with talento/make/python3 commands run"


@pytest.mark.parametrize("lang", sorted(GUIDES))
def test_the_seed_guides_commands_are_kept_word_for_word(lang):
    found = [b for b in blocks(GUIDES[lang]) if b.lang == "bash"]
    for command, must_run in SEED_COMMANDS.items():
        holders = [b for b in found if command in b.commands]
        assert holders, f"the seed's command is missing: {command}"
        if must_run:
            assert any(b.skip is None for b in holders), f"never run: {command}"


@pytest.mark.parametrize("lang", sorted(GUIDES))
def test_the_guides_links_resolve(lang):
    guide = GUIDES[lang]
    for target in re.findall(r"\]\(([^)\s]+)\)", guide.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue
        path = unquote(target.split("#", 1)[0])
        assert (guide.parent / path).exists(), f"{guide.name}: broken link {target}"
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert str(guide.relative_to(PROJECT_ROOT)) in readme, "README does not link the guide"


@pytest.mark.parametrize("lang", sorted(GUIDES))
def test_the_deploy_files_the_guide_installs_exist(lang):
    named = set(re.findall(r"/opt/talento/(deploy/[\w.-]+)", GUIDES[lang].read_text("utf-8")))
    assert {"deploy/talento.service", "deploy/nginx.conf", "deploy/logrotate"} <= named
    for path in sorted(named):
        assert (PROJECT_ROOT / path).is_file(), f"the guide installs {path}, which does not exist"


# --- the sandbox -----------------------------------------------------------------------------

LINKED = (
    "Makefile",
    "npm",
    "app.py",
    "migrations_init.py",
    "gunicorn.conf.py",
    "deploy",
    "docs",
    "migrations",
    "talento",
    ".gitignore",
    ".env.example",
    "pyproject.toml",
    "constraints.txt",
    "babel.cfg",
)

#: The lost-key situation needs data written with the key that gets lost: one talent with a
#: phone and an address, created through the app (real encrypted columns).
ADD_TALENT = """
from talento import boot
from talento.accounts.models import User
from talento.accounts.services import set_password
from talento.extensions import db
from talento.geo.models import City, Country

app = boot()
with app.app_context():
    country = db.session.scalars(db.select(Country).filter_by(iso2="MA")).one()
    city = db.session.scalars(db.select(City).filter_by(country_id=country.id, code="CAS")).one()
    user = User(
        code="MAF0001CAS", email="amina.guide@example.org", first_name="Amina",
        last_name="Guide", gender="F", country=country, city=city,
        phone="+212600000001", address="Casablanca",
    )
    set_password(user, "Talent-password-2026", app.extensions["talento.passwords"])
    db.session.add(user)
    db.session.commit()
"""


class Sandbox:
    def __init__(self, root: Path, backend: str, database_url: str):
        self.root, self.backend, self.database_url = root, backend, database_url
        for name in LINKED:
            (root / name).symlink_to(PROJECT_ROOT / name)
        (root / ".venv").symlink_to(Path(sys.prefix))
        for folder in ("home", "instance", "log"):
            (root / folder).mkdir()
        self.env_file = root / ".env"
        self.lost_key: str | None = None
        self.owned = {  # set in the environment too: they win over .env, whatever a block does
            "DATABASE_URL": database_url,
            "UPLOAD_DIR": str(root / "instance" / "uploads"),
            "BACKUP_DIR": str(root / "instance" / "backups"),
            "MAIL_OUTBOX_DIR": str(root / "instance" / "outbox"),
            "LOG_FILE": str(root / "log" / "app.log"),
        }
        self.env = {
            "PATH": f"{root / '.venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(root / "home"),
            "LANG": "C.UTF-8",
            "TALENTO_ENV_FILE": str(self.env_file),
            # Cheap password hashing: the guide's commands, not Argon2, are under test here.
            "ARGON2_MEMORY_KIB": "1024",
            "ARGON2_TIME_COST": "1",
            **self.owned,
        }
        if backend == "postgresql":
            url = make_url(database_url)
            self.env.update(
                PGHOST=url.host or "127.0.0.1",
                PGPORT=str(url.port or 5432),
                PGUSER=url.username or "postgres",
                PGPASSWORD=url.password or "",
            )

    def localise(self, content: str) -> str:
        content = content.replace("/opt/talento", str(self.root))
        content = content.replace("/var/log/talento", str(self.root / "log"))
        content = content.replace("/etc/talento", str(self.root / "etc" / "talento"))
        if self.backend == "postgresql":
            content = content.replace("talento_db", make_url(self.database_url).database)
        return content

    def read_env(self, name: str) -> str:
        for line in self.env_file.read_text(encoding="utf-8").splitlines():
            if line.startswith(f"{name}="):
                return line.split("=", 1)[1]
        raise AssertionError(f"{name} is not in .env")

    def fill(self, content: str) -> str:
        values = {"current key": self.read_env("ENCRYPTION_KEY"), "lost key": self.lost_key}
        for placeholder in set(PLACEHOLDER.findall(content)):
            value = values.get(FILLED.get(placeholder, ""))
            assert value, f"the sandbox cannot fill {placeholder} here"
            content = content.replace(placeholder, value)
        return content

    def run(self, block: Block) -> tuple[int, str, str]:
        script = self.localise(block.text)
        if "example" in block.markers:
            script = self.fill(script)
        process = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=self.root,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a server started by mistake dies with its group
        )
        try:
            out, err = process.communicate(timeout=BLOCK_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            return -1, out, err + f"\n[killed after {BLOCK_TIMEOUT} s]"
        return process.returncode, out, err

    def set_env(self, name: str, value: str) -> None:
        """Replace NAME's line in .env (or add it), as the operator does with nano."""
        if name in self.owned:
            value = self.owned[name]
        value = self.localise(value)
        assert not PLACEHOLDER.search(value), f"placeholder left in {name}={value}"
        lines = self.env_file.read_text(encoding="utf-8").splitlines()
        for index, line in enumerate(lines):
            if line.startswith(f"{name}="):
                lines[index] = f"{name}={value}"
                break
        else:
            lines.append(f"{name}={value}")
        self.env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def step(self, name: str) -> None:
        if name == "lose-key":  # the seed's accident: a new .env with a new key
            result = subprocess.run(
                [str(self.root / ".venv" / "bin" / "python"), "-c", ADD_TALENT],
                cwd=self.root,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=BLOCK_TIMEOUT,
                check=False,
            )
            assert result.returncode == 0, result.stderr
            self.lost_key = self.read_env("ENCRYPTION_KEY")
            self.set_env("ENCRYPTION_KEY", Fernet.generate_key().decode())
            self.set_env("ENCRYPTION_KEYS_PREVIOUS", "")
        elif name == "nightly-backup":
            self.nightly_backup()
        elif name == "prepare-restore":  # dropdb + createdb, uploads moved, passphrase copied
            if self.backend == "postgresql":
                recreate_database(self.database_url)
            else:
                Path(make_url(self.database_url).database).unlink(missing_ok=True)
            uploads = Path(self.owned["UPLOAD_DIR"])
            if uploads.exists():
                uploads.rename(uploads.with_name("uploads.old"))
            copy = self.root / "instance" / "restore-passphrase"
            copy.write_bytes(Path(self.localise("/etc/talento/backup-passphrase")).read_bytes())
            copy.chmod(0o600)
        else:
            pytest.fail(f"unknown sandbox step {name!r}")

    def nightly_backup(self) -> None:
        """What systemd does with deploy/talento-backup.service: the passphrase the guide's
        root block wrote, handed over as a credential, and the unit's ExecStart, run once."""
        unit = (PROJECT_ROOT / "deploy" / "talento-backup.service").read_text(encoding="utf-8")
        passphrase = Path(self.localise("/etc/talento/backup-passphrase"))
        passphrase.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        passphrase.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")  # openssl rand
        passphrase.chmod(0o600)
        credentials = self.root / "credentials"
        credentials.mkdir(mode=0o700)
        for line in re.findall(r"^LoadCredential=(.+)$", unit, re.M):
            credential, source = line.split(":", 1)
            (credentials / credential).write_bytes(Path(self.localise(source)).read_bytes())
            (credentials / credential).chmod(0o400)  # as systemd hands it over
        command = re.search(r"^ExecStart=(.+)$", unit, re.M)
        assert command, "no ExecStart in deploy/talento-backup.service"
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", self.localise(command[1])],
            cwd=self.root,
            env={**self.env, "CREDENTIALS_DIRECTORY": str(credentials)},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=BLOCK_TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, f"talento-backup.service failed:\n{result.stderr}"


def recreate_database(url: str) -> None:
    url = normalise_database_url(url)
    name = make_url(url).database
    server = make_url(url).set(database=make_url(pg_url()).database).render_as_string(False)
    engine = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


@pytest.fixture(params=[default_backend()])
def sandbox(request, tmp_path) -> Sandbox:
    """The guide is the production guide: it runs on PostgreSQL (SQLite only on a machine
    without a PostgreSQL server; SQLite's own backup and restore are in tests/ops)."""
    if request.param == "sqlite":
        return Sandbox(tmp_path, "sqlite", f"sqlite:///{tmp_path / 'instance' / 'talento.db'}")
    raw = pg_url()
    if not _pg_available(raw):
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI and does not answer at {raw}")
        pytest.skip(f"no PostgreSQL at {raw}")
    url = make_url(normalise_database_url(raw)).set(database=f"talento_guide_{os.getpid()}")
    url = url.render_as_string(hide_password=False)
    recreate_database(url)

    def drop() -> None:
        server = make_url(normalise_database_url(raw)).render_as_string(hide_password=False)
        engine = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        engine.dispose()

    request.addfinalizer(drop)  # noqa: PT021 - a helper, not a fixture: it cannot yield
    # The seed's form of the URL (postgresql://, no driver): Talento normalises it itself.
    return Sandbox(tmp_path, "postgresql", url.replace("postgresql+psycopg://", "postgresql://"))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_the_french_guide_runs_in_a_sandbox(sandbox):
    failures: list[str] = []
    timings: list[tuple[float, str]] = []
    ran = 0
    started, cpu = time.monotonic(), _children_cpu()
    for item in parse(GUIDES["fr"]):
        if isinstance(item, Step):
            sandbox.step(item.name)
            continue
        if item.lang == "dotenv" and "edit-env" in item.markers:
            for line in item.text.splitlines():
                match = ENV_LINE.match(line)
                if match and not line.startswith("#"):
                    sandbox.set_env(match[1], match[2])
            continue
        if item.lang != "bash" or item.skip:
            continue
        if "postgresql" in item.markers and sandbox.backend != "postgresql":
            continue
        ran += 1
        began = time.monotonic()
        status, out, err = sandbox.run(item)
        timings.append((time.monotonic() - began, str(item)))
        if status != item.expected_status:
            failures.append(
                f"{item}\n  exit status {status}, expected {item.expected_status}\n"
                f"  stdout: {out[-1500:]}\n  stderr: {err[-1500:]}"
            )
            continue
        if "edit-env" in item.markers:
            printed = [ENV_LINE.match(line) for line in out.splitlines()]
            printed = [match for match in printed if match]
            if not printed:
                failures.append(f"{item}\n  printed no KEY=VALUE line to copy into .env:\n{out}")
            for match in printed:
                sandbox.set_env(match[1], match[2])
    total = time.monotonic() - started
    slowest = "\n".join(f"  {s:5.1f} s  {what}" for s, what in sorted(timings, reverse=True)[:5])
    cpu = _children_cpu() - cpu
    print(f"{ran} blocks run in {total:.1f} s ({cpu:.1f} s of CPU); slowest:\n{slowest}")
    assert not failures, f"{len(failures)} block(s) failed:\n\n" + "\n\n".join(failures)
    assert sandbox.env_file.stat().st_mode & 0o777 == 0o600
