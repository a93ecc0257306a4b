"""The window's menus as one table of actions, and the keyboard help read back from those menus.

One table (menu, text, slot, shortcut) builds every menu, so adding an action is one row; the help
lists what the built menus hold, so it cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeGuard, cast

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar

Key = str | QKeySequence.StandardKey | Qt.Key
Shortcut = Key | tuple[Key, ...] | None


@dataclass(frozen=True)
class MenuEntry:
    """One row of the table: an action `text` in `menu` that calls `slot`, or a ready-made `action`
    (Qt's undo and redo keep their own text and state), or, with neither, a separator."""

    menu: str
    text: str = ""
    slot: Callable[[], object] | None = None
    shortcut: Shortcut = None
    action: QAction | None = None


def separator(menu: str) -> MenuEntry:
    """A line between groups of actions in `menu`."""
    return MenuEntry(menu)


def plain_text(text: str) -> str:
    """An action's text as the help and callers name it: no mnemonic '&', no trailing '...'."""
    return text.replace("&", "").removesuffix("...")


def key_sequences(shortcut: Shortcut) -> list[QKeySequence]:
    """Every key sequence one table cell stands for."""
    if shortcut is None:
        return []
    keys = shortcut if isinstance(shortcut, tuple) else (shortcut,)
    return [QKeySequence(key) for key in keys]


def is_plain(event: QKeyEvent) -> bool:
    """A key pressed without Ctrl, Alt, Shift or Meta (the keypad's own flag allowed: its Enter is
    Enter): only such a key may be taken from the window's shortcuts, which use the others."""
    return not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier


def label_key(event: QKeyEvent) -> int | None:
    """The digit a plain digit key (main keyboard or keypad) picks as the label to teach, else None."""
    text = event.text()
    return int(text) if len(text) == 1 and text.isdigit() and is_plain(event) else None


def takes_own_key(event: QEvent, keys: Collection[int]) -> TypeGuard[QKeyEvent]:
    """Whether `event` is the window's shortcuts asking (ShortcutOverride) for a plain press of one of
    a widget's own `keys`: accepted, it comes to the widget as a key press instead."""
    return (
        event.type() == QEvent.Type.ShortcutOverride
        and isinstance(event, QKeyEvent)
        and event.key() in keys
        and is_plain(event)
    )


def redo_keys() -> list[QKeySequence]:
    """The platform's Redo keys, and Ctrl+Y where they lack it (Linux's are Ctrl+Shift+Z only):
    people who learnt Redo on Windows press Ctrl+Y everywhere."""
    keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    ctrl_y = QKeySequence("Ctrl+Y")
    return keys if ctrl_y in keys else [*keys, ctrl_y]


def on_a_pc_keyboard(key: QKeySequence) -> bool:
    """False for no key at all (a standard key the platform leaves unbound: Quit, off X11), and for
    the keys beyond F12 that Qt adds for Sun keyboards (Undo is F14, Copy F16 under X11): listing
    them would send readers looking for keys they do not have."""
    if key.isEmpty():
        return False
    first = key[0].key().value  # type: ignore[index]  # 6.7's stubs lack QKeySequence.__getitem__
    return not Qt.Key.Key_F13.value <= first <= Qt.Key.Key_F35.value


def _action(owner: QMainWindow, entry: MenuEntry) -> QAction:
    if entry.action is not None:
        return entry.action
    action = QAction(entry.text, owner)  # owned by the window: its shortcuts work while it has focus
    action.setShortcuts(key_sequences(entry.shortcut))
    if entry.slot is not None:
        action.triggered.connect(entry.slot)
    return action


def build_menus(owner: QMainWindow, table: Sequence[MenuEntry]) -> dict[str, QAction]:
    """Fill `owner`'s menu bar from `table`, menus in order of first mention; returns the actions by
    their plain text, for the few the window enables or disables later."""
    menus = {}
    actions = {}
    for entry in table:
        if entry.menu not in menus:
            menus[entry.menu] = owner.menuBar().addMenu(entry.menu)
        if entry.action is None and not entry.text:
            menus[entry.menu].addSeparator()
            continue
        action = _action(owner, entry)
        menus[entry.menu].addAction(action)
        actions[plain_text(action.text())] = action
    return actions


def menus_of(menu_bar: QMenuBar) -> list[QMenu]:
    """The menu bar's menus, in order. (Not through QAction.menu(): PySide6 6.7 hands back a wrapper
    of an object already deleted.)"""
    # 6.7's stubs type the children as a placeholder type
    menus = cast(list[QMenu], list(menu_bar.findChildren(QMenu, "", Qt.FindChildOption.FindDirectChildrenOnly)))
    return [m for action in menu_bar.actions() for m in menus if m.menuAction() == action]


def shortcut_rows(menu_bar: QMenuBar, gestures: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The gestures, then every menu action that has a shortcut, by its name (its icon text: the
    menu's words, or "Undo" where the menu names the step undone)."""
    rows = list(gestures)
    for menu in menus_of(menu_bar):
        for action in menu.actions():
            keys = [
                key.toString(QKeySequence.SequenceFormat.NativeText)
                for key in action.shortcuts()
                if on_a_pc_keyboard(key)
            ]
            if keys:
                rows.append((plain_text(action.iconText()), " / ".join(keys)))
    return rows
