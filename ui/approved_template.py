"""Approved template… : outside WhatsApp's 24-hour window only a template the business had
approved may go out. The operator picks one and fills its parameters (the values its
placeholders take, in order); what it will say is shown before it goes."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs import _buttons, _ctrl_enter_accepts

MAX_PARAMETERS = 10


class ApprovedTemplateDialog(QDialog):
    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ApprovedTemplateDialog")
        self.setWindowTitle(self.tr("Send an approved template"))
        self.setAccessibleName(self.tr("Send an approved template"))
        self.name = QComboBox(self)
        self.name.setObjectName("TemplateName")
        self.name.setAccessibleName(self.tr("Template"))
        self.name.view().setAccessibleName(self.tr("Approved templates"))
        for name in names:
            self.name.addItem(name, name)
        self.parameters = QLineEdit(self)
        self.parameters.setObjectName("TemplateParameters")
        self.parameters.setAccessibleName(self.tr("Parameters"))
        self.parameters.setPlaceholderText(self.tr("Values in order, separated by |"))
        self.shown = QLabel(self)
        self.shown.setObjectName("TemplatePreview")
        self.shown.setWordWrap(True)
        self.shown.setAccessibleName(self.tr("What goes out"))
        self.problem = QLabel(self)
        self.problem.setProperty("role", "warning")
        form = QFormLayout()
        form.addRow(self.tr("&Template:"), self.name)
        form.addRow(self.tr("&Parameters:"), self.parameters)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.shown)
        lay.addWidget(self.problem)
        self.buttons = _buttons(self, self.tr("Send template"), self.tr("Send the template"))
        lay.addWidget(self.buttons)
        self.name.currentIndexChanged.connect(lambda _i: self._validate())
        self.parameters.textChanged.connect(lambda _t: self._validate())
        _ctrl_enter_accepts(self)
        self._validate()
        self.name.setFocus()
        self.resize(420, 200)

    def values(self) -> tuple[str, list[str]]:
        raw = self.parameters.text()
        parameters = [p.strip() for p in raw.split("|")] if raw.strip() else []
        return str(self.name.currentData() or ""), parameters

    def preview(self) -> str:
        name, parameters = self.values()
        return f"[{name}] " + " · ".join(parameters) if parameters else f"[{name}]"

    def _validate(self) -> None:
        name, parameters = self.values()
        problem = ""
        if len(parameters) > MAX_PARAMETERS:
            problem = self.tr("At most %1 parameters").replace("%1", str(MAX_PARAMETERS))
        elif any(not p for p in parameters):
            problem = self.tr("A parameter is empty")
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.shown.setText(self.tr("Goes out: %1").replace("%1", self.preview()))
        ok = bool(name) and not problem
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def accept(self) -> None:
        if self.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled():
            super().accept()
