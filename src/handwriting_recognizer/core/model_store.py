"""Retrained models in the user's data folder: the active one and the one before it.

A model travels with its companions: its Keras weights (`.weights.h5`, so the next retrain can
fine-tune it), its int8 copy (`.int8.onnx`, what the CPU runs) and its stroke model
(`.strokes.onnx`, fused with it for drawings). They switch as one unit:

    <root>/sets/<id>/model.onnx (+ model.weights.h5, model.int8.onnx, model.strokes.onnx)   one folder per set
    <root>/sets/<id>/origin.json   {"retrained": bool, "name": the file it was copied from}
    <root>/state.json   {"current": id, "previous": id or null}

A set is written into a hidden temporary folder, each file atomically, and renamed to its id only
when complete; then `state.json` is replaced atomically. Whatever interrupts an install or a revert
(a full disk, a crash), the pointer names either the old sets or the new ones, never a mix, and a
revert only rewrites the pointer. Sets the pointer no longer names are removed afterwards, but the
newest two: with two windows open, one's install must not pull away the model the other runs.

A pointer that is missing while sets exist, or that cannot be read (cut off, damaged, not a pointer),
would otherwise name nothing, and the next install would remove every set: it is moved aside
(`state.json.bad-<time>-<random>`) and rebuilt from the sets, the newest current and the one before
it previous, so no model is lost and "Revert to previous" still works.

Folders from the old layout (`current.onnx`, `previous.onnx` with companions) are copied into sets
on first use; the old files stay until the next install or revert, because the app may have
remembered the path of the old `current.onnx` and still be running it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from handwriting_recognizer.core.atomic import sync_folder, write_bytes_atomic
from handwriting_recognizer.core.contract import (
    MODEL_FILE,
    WEIGHTS_SOURCE_KEY,
    int8_path_for,
    strokes_path_for,
    weights_for,
)
from handwriting_recognizer.core.recognizer import MODEL_MAX_BYTES, ModelError, read_metadata
from handwriting_recognizer.core.safe_io import KB, MB, FileRefused, entries, exists, is_file, read_regular_file

log = logging.getLogger(__name__)

WEIGHTS_MAX_BYTES = 64 * MB  # a Keras weights file (the shipped model's: 0.9 MB)
STATE_MAX_BYTES = 4 * KB  # state.json: two set ids
LEGACY_FILES = ("current.onnx", "previous.onnx")  # the old layout, current first
SET_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{8}")  # how `_write_set` names a set (time-uuid): nothing else is one
ORIGIN_FILE = "origin.json"  # in a set: where its model came from, so the app can name it
NAME_MAX_CHARS = 200  # an origin's file name, as shown
# Sets no pointer names any more that stay on disk, the newest: another window may still run one
# (its weights are what it fine-tunes from) when this one installs or reverts. About 2 MB each.
KEPT_UNNAMED = 2
PARTIAL_STALE_S = 3600  # a set still being written after this long is what a crash left


def _age_s(path: Path) -> float:
    """Seconds since `path` last changed (0 when it cannot be told: it is kept)."""
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _matching_weights_bytes(model: Path) -> bytes | None:
    """The model's weights when they exist, are within budget and, when the model's metadata names
    their SHA-256 hash, are exactly those: weights from another model must never be fine-tuned."""
    weights = weights_for(model)
    if not exists(weights):
        return None
    try:
        data = read_regular_file(weights, WEIGHTS_MAX_BYTES, "weights file")
        expected = read_metadata(model).get(WEIGHTS_SOURCE_KEY)
    except (FileRefused, ModelError) as exc:
        log.warning("not using %s: %s", weights.name, exc)
        return None
    if expected is not None and expected != hashlib.sha256(data).hexdigest():
        log.warning("not using %s: they are not the weights %s was exported from", weights.name, model.name)
        return None
    return data


def matching_weights(model: Path) -> Path | None:
    """The weights file to fine-tune `model` from, or None when there is none that belongs to it."""
    return weights_for(model) if _matching_weights_bytes(model) is not None else None


def _optional_model(path: Path) -> bytes | None:
    """A model's int8 copy or stroke model (`path`), or None when it has none or it is refused (the
    float model then runs, or reads alone; the Recognizer checks what is kept when it loads it)."""
    if not exists(path):
        return None
    try:
        return read_regular_file(path, MODEL_MAX_BYTES, "model")
    except FileRefused as exc:
        log.warning("leaving out %s: %s", path.name, exc)
        return None


@dataclass(frozen=True)
class Origin:
    """Where a model in the store came from, so the app can name it by what it is."""

    retrained: bool  # made by a retraining; else the model a retraining replaced, kept to revert to
    name: str  # the name of the file it was copied from


@dataclass(frozen=True)
class _State:
    """What state.json names: set ids, None for none."""

    current: str | None = None
    previous: str | None = None


class ModelStore:
    """The user's current and previous models, each with its companions, switched as one unit."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._sets = self.root / "sets"
        self._state_file = self.root / "state.json"

    # --- what the app asks ----------------------------------------------------------------------

    @property
    def current(self) -> Path:
        """The current model file; a path that does not exist when there is none."""
        return self._model_path(self._state().current)

    @property
    def previous(self) -> Path:
        """The previous model file; a path that does not exist when there is none."""
        return self._model_path(self._state().previous)

    def has_previous(self) -> bool:
        """Whether "Revert to previous" has a model to go back to."""
        return self._state().previous is not None

    def origin(self, model: Path) -> Origin | None:
        """Where `model`, a file in this store, came from; None for a file outside it. A set written
        before origins were kept (or whose record is unreadable) counts as retrained."""
        try:
            model.resolve().relative_to(self.root.resolve())
        except (ValueError, OSError):
            return None
        try:
            saved = json.loads(read_regular_file(model.parent / ORIGIN_FILE, STATE_MAX_BYTES, "model origin"))
        except (FileRefused, ValueError, RecursionError):
            saved = None
        if isinstance(saved, dict) and isinstance(saved.get("retrained"), bool) and isinstance(saved.get("name"), str):
            return Origin(saved["retrained"], saved["name"][:NAME_MAX_CHARS])
        return Origin(True, model.name)

    def install(self, new_model: Path, active_model: Path) -> Path:
        """Make `new_model` (with its companions) current; keep `active_model` (what the app uses
        now) as previous, or, when that file has left the disk (a removed drive), the store's
        current. Returns the now-current model file. On any failure nothing changes."""
        state = self._state()
        created: list[str] = []
        try:
            previous = self._set_of(active_model)
            if previous is None:
                try:
                    previous = self._write_set(active_model, Origin(retrained=False, name=active_model.name))
                    created.append(previous)
                except ModelError as exc:  # the new model is not to be lost for the old one's file
                    log.warning("keeping %s, not %s, as the previous model: %s", state.current, active_model, exc)
                    previous = state.current
            current = self._write_set(new_model, Origin(retrained=True, name=new_model.name))
            created.append(current)
            self._point_at(_State(current, previous))
        except BaseException:
            for set_id in created:
                shutil.rmtree(self._sets / set_id, ignore_errors=True)
            raise
        self._tidy(_State(current, previous))
        return self._model_path(current)

    def revert(self) -> Path:
        """Swap current and previous; return the model now current. Only the pointer is rewritten."""
        state = self._state()
        if state.previous is None:
            raise FileNotFoundError("there is no previous model")
        self._point_at(_State(state.previous, state.current))
        self._tidy(_State(state.previous, state.current))
        return self._model_path(state.previous)

    # --- sets and the pointer -------------------------------------------------------------------

    def _model_path(self, set_id: str | None) -> Path:
        return self._sets / (set_id or "none") / MODEL_FILE

    def _set_of(self, model: Path) -> str | None:
        """The id of the complete set whose model file `model` is, if any (named by the pointer or
        kept for another window). A kept set another window's install removes between this call and
        the new pointer leaves no previous model: two installs at the same moment, not guarded."""
        wanted = model.resolve()
        for set_id in self._oldest_first():
            if self._model_path(set_id).resolve() == wanted:
                return set_id
        return None

    def _write_set(self, model: Path, origin: Origin | None = None) -> str:
        """Copy `model` and its companions (and its `origin`, when known) into a new, complete set
        folder; return its id. ModelError when the model file itself is refused (not a regular file,
        over budget)."""
        try:
            data = read_regular_file(model, MODEL_MAX_BYTES, "model")
        except FileRefused as exc:
            raise ModelError(str(exc)) from exc
        files = {
            MODEL_FILE: data,
            weights_for(Path(MODEL_FILE)).name: _matching_weights_bytes(model),
            int8_path_for(Path(MODEL_FILE)).name: _optional_model(int8_path_for(model)),
            strokes_path_for(Path(MODEL_FILE)).name: _optional_model(strokes_path_for(model)),
            ORIGIN_FILE: None if origin is None else json.dumps(asdict(origin)).encode(),
        }
        set_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        partial = self._sets / f".{set_id}.partial"
        try:
            for name, content in files.items():
                if content is not None:
                    write_bytes_atomic(partial / name, content)
            os.replace(partial, self._sets / set_id)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        sync_folder(self._sets)
        return set_id

    def _state(self) -> _State:
        """The pointer, migrating the old layout on first use, rebuilt when missing or unreadable."""
        if not exists(self._state_file):
            if any(exists(self.root / name) for name in LEGACY_FILES):
                return self._migrate()
            return self._rebuild("is missing")
        try:
            return self._read_pointer()
        except (FileRefused, ValueError, RecursionError) as exc:
            return self._rebuild(f"is unreadable ({exc}): {self._move_pointer_aside()}")

    def _read_pointer(self) -> _State:
        """What state.json names; FileRefused or ValueError when it is not a pointer this store wrote.
        A set that is gone (removed by hand) names nothing."""
        saved = json.loads(read_regular_file(self._state_file, STATE_MAX_BYTES, "model state"))
        if (
            not isinstance(saved, dict)
            or saved.keys() != {"current", "previous"}
            or not all(i is None or (isinstance(i, str) and SET_ID.fullmatch(i)) for i in saved.values())
        ):
            raise ValueError("it does not name model sets")
        ids = saved["current"], saved["previous"]
        return _State(*(i if i is not None and is_file(self._model_path(i)) else None for i in ids))

    def _move_pointer_aside(self) -> str:
        """Keep an unreadable pointer for the user to look at; say where it went."""
        kept = self._state_file.with_name(
            f"{self._state_file.name}.bad-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        )
        try:
            os.replace(self._state_file, kept)
        except OSError as exc:
            return f"it cannot be moved aside ({exc.strerror})"
        return f"moved to {kept.name}"

    def _oldest_first(self) -> list[str]:
        """The complete sets' ids, oldest first: by the time in the id, then by the model file's
        (ids have whole seconds)."""
        ages: dict[str, tuple[str, int]] = {}
        for folder in entries(self._sets):
            if SET_ID.fullmatch(folder.name):
                try:
                    ages[folder.name] = (folder.name[:15], (folder / MODEL_FILE).stat().st_mtime_ns)
                except OSError:
                    continue  # no model file: not a set this store finished
        return sorted(ages, key=ages.__getitem__)

    def _rebuild(self, problem: str) -> _State:
        """A pointer to the newest complete set (current) and the one before it (previous), written
        when there are sets, so that no install removes models a lost pointer named."""
        ids = self._oldest_first()
        if not ids:
            return _State()
        state = _State(ids[-1], ids[-2] if len(ids) > 1 else None)
        log.warning(
            "%s %s; rebuilt from the newest model sets: current %s, previous %s",
            self._state_file,
            problem,
            state.current,
            state.previous,
        )
        try:
            self._point_at(state)
        except OSError as exc:  # the next use rebuilds it again; an install cannot write either
            log.warning("could not write the rebuilt %s: %s", self._state_file, exc)
        return state

    def _migrate(self) -> _State:
        """Copy the old layout's models into sets and point at them. A model that cannot be copied
        is left out, logged; when the pointer cannot be written, the old files stay the only copy and
        the next use tries again."""
        old = [self.root / name for name in LEGACY_FILES]
        ids: list[str | None] = []
        for model in old:
            try:
                ids.append(self._write_set(model) if exists(model) else None)
            except (ModelError, OSError) as exc:
                log.warning("could not keep %s from the old model folder: %s", model.name, exc)
                ids.append(None)
        state = _State(*ids)
        try:
            self._point_at(state)
        except OSError as exc:
            log.warning("could not move the old model folder to model sets: %s", exc)
            for set_id in ids:
                if set_id is not None:
                    shutil.rmtree(self._sets / set_id, ignore_errors=True)
            return _State()
        self._tidy(state, remove_legacy=False)
        return state

    def _point_at(self, state: _State) -> None:
        """Replace the pointer atomically: from here on `state` is what the store holds."""
        write_bytes_atomic(
            self._state_file, json.dumps({"current": state.current, "previous": state.previous}).encode()
        )
        sync_folder(self.root)  # durable before anything the old pointer named is removed

    def _tidy(self, state: _State, remove_legacy: bool = True) -> None:
        """Remove, best effort, the sets `state` does not name but the KEPT_UNNAMED newest, the
        partial sets of installs that died and sets without a model (older than PARTIAL_STALE_S: a
        younger one may be another window's install under way) and, with `remove_legacy`, the old
        layout's files (copies of them are in sets since `_migrate`)."""
        named = {state.current, state.previous}
        unnamed = [set_id for set_id in self._oldest_first() if set_id not in named]
        unused = [self._sets / set_id for set_id in unnamed[: max(0, len(unnamed) - KEPT_UNNAMED)]]
        held = entries(self._sets)
        unfinished = [f for f in held if SET_ID.fullmatch(f.name) and not is_file(f / MODEL_FILE)]
        partial = [f for f in held if f.name.startswith(".") and f.name.endswith(".partial")]
        unused += [f for f in [*partial, *unfinished] if _age_s(f) > PARTIAL_STALE_S]
        if remove_legacy:
            unused += [
                path
                for name in LEGACY_FILES
                for model in [self.root / name]
                for path in (model, weights_for(model), int8_path_for(model), strokes_path_for(model))
            ]
        for path in unused:
            try:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not remove the unused %s: %s", path, exc)
