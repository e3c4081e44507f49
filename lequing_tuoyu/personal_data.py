"""Resident ID numbers: encrypted at rest, found by a keyed hash, shown masked.

Usage on a model::

    id_number = ResidentIdField(_("身份证号码"))
    id_number_hash = KeyedHashField(source="id_number")

`id_number` reads back as a `ResidentId`: its str() and repr() are the masked form, so templates,
admin lists, log lines and exceptions show `330382********1234`. Code that truly needs the number
calls `.reveal()`, which is easy to find in review. Look a person up with
`Model.objects.filter(id_number_hash=keyed_hash(number))`.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core import checks
from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import mask_resident_id, normalize_resident_id, validate_resident_id


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.PERSONAL_DATA_KEYS))


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """Re-encrypt a token with the newest key (MultiFernet.rotate); the plain text never leaves."""
    return fernet().rotate(token.encode()).decode()


def keyed_hash(plain: str) -> str:
    """HMAC-SHA256 of the normalised number: exact lookup and uniqueness without decrypting."""
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, normalize_resident_id(plain).encode(), hashlib.sha256).hexdigest()


class ResidentId(str):
    """A resident ID number whose printable forms are masked."""

    __slots__ = ()

    def reveal(self) -> str:
        return str.__str__(self)

    @property
    def masked(self) -> str:
        return mask_resident_id(self.reveal())

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"ResidentId({self.masked!r})"

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)


class _Unchanged:
    """The masked value came back from an edit form: keep what is stored."""

    def __repr__(self) -> str:
        return "<unchanged>"


UNCHANGED = _Unchanged()


class ResidentIdFormField(forms.CharField):
    """Edit forms show the masked number; sending it back unchanged keeps the stored one."""

    def clean(self, value):
        value = normalize_resident_id(value)
        if "*" in value:
            return UNCHANGED
        value = super().clean(value)
        return validate_resident_id(value) if value else value

    def has_changed(self, initial, data):
        return "*" not in normalize_resident_id(data) and super().has_changed(initial, data)


class ResidentIdField(models.TextField):
    """Stores a validated resident ID number as a Fernet token."""

    description = _("身份证号码（加密存储）")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", _("18位居民身份证号码，加密存储，页面中脱敏显示。"))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value is None or value == "" or isinstance(value, ResidentId):
            return value
        return ResidentId(validate_resident_id(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return ResidentId(decrypt(value))
        except InvalidToken:
            # A key was removed before its data was re-encrypted: fail loudly, never show the token.
            raise ValueError(
                "personal data could not be decrypted with the configured keys"
            ) from None

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        plain = value.reveal() if isinstance(value, ResidentId) else normalize_resident_id(value)
        return encrypt(plain)

    def pre_save(self, model_instance, add):
        # After save the instance holds a ResidentId too, so it prints masked from then on.
        value = getattr(model_instance, self.attname)
        if value and not isinstance(value, ResidentId):
            value = ResidentId(normalize_resident_id(value))
            setattr(model_instance, self.attname, value)
        return value

    def value_to_string(self, obj):
        # Serialisation (dumpdata, fixtures) never carries the plain number.
        return mask_resident_id(self.value_from_object(obj))

    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", ResidentIdFormField)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        kwargs.setdefault("max_length", 18)
        return models.Field.formfield(self, **kwargs)

    def save_form_data(self, instance, data):
        if data is UNCHANGED:
            return
        super().save_form_data(instance, data)

    def get_lookup(self, lookup_name):
        # Ciphertext is randomised: comparing it finds nothing. Use the keyed hash instead.
        if lookup_name not in {"isnull"}:
            return None
        return super().get_lookup(lookup_name)


class KeyedHashField(models.CharField):
    """Filled on save from its `source` ResidentIdField with `keyed_hash`."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key in ("max_length", "editable", "db_index", "blank"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source)
        value = (
            keyed_hash(plain.reveal() if isinstance(plain, ResidentId) else plain) if plain else ""
        )
        setattr(model_instance, self.attname, value)
        return value

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        try:
            source = self.model._meta.get_field(self.source)
        except Exception:  # noqa: BLE001 - reported as a check error below
            source = None
        if not isinstance(source, ResidentIdField):
            errors.append(
                checks.Error(
                    f"KeyedHashField source {self.source!r} is not a ResidentIdField.",
                    obj=self,
                    id="lequing_tuoyu.E001",
                )
            )
        return errors


def resident_id_fields(model) -> list[ResidentIdField]:
    return [f for f in model._meta.get_fields() if isinstance(f, ResidentIdField)]
