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

from .validators import (
    mask_name,
    mask_phone,
    mask_resident_id,
    normalize_phone,
    normalize_resident_id,
    validate_phone,
    validate_resident_id,
)


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


class MaskedValue(str):
    """Personal data whose printable forms (str, repr, format) are masked.

    Subclasses set `mask`. `.reveal()` gives the value itself, for the few places that need it.
    """

    __slots__ = ()
    mask = staticmethod(lambda value: "*" * len(value))

    def reveal(self) -> str:
        return str.__str__(self)

    @property
    def masked(self) -> str:
        return type(self).mask(self.reveal())

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.masked!r})"

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)


class ResidentId(MaskedValue):
    """A resident ID number: 330382********1234."""

    __slots__ = ()
    mask = staticmethod(mask_resident_id)


class PhoneNumber(MaskedValue):
    """A phone number: 138****5678."""

    __slots__ = ()
    mask = staticmethod(mask_phone)


class PersonName(MaskedValue):
    """A person's name, shown as its first character and stars: 王**."""

    __slots__ = ()
    mask = staticmethod(mask_name)


class _Unchanged:
    """The masked value came back from an edit form: keep what is stored."""

    def __repr__(self) -> str:
        return "<unchanged>"


UNCHANGED = _Unchanged()


class MaskedFormField(forms.CharField):
    """Edit forms show the mask; sending it back unchanged keeps the stored value."""

    def __init__(self, *args, clean_value=None, **kwargs):
        self.clean_value = clean_value
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = (value or "").strip()
        if "*" in value:
            return UNCHANGED
        value = super().clean(value)
        return self.clean_value(value) if value and self.clean_value else value

    def has_changed(self, initial, data):
        return "*" not in (data or "") and super().has_changed(initial, data)


class EncryptedMaskedField(models.TextField):
    """Stores personal data as a Fernet token; reads it back as a masked value.

    Filtering on the column is refused (the ciphertext is randomised, so a comparison would
    silently find nothing); pair the field with a KeyedHashField where lookups are needed.
    """

    value_class: type[MaskedValue] = MaskedValue
    form_max_length: int | None = None

    def normalize(self, value: str) -> str:
        return str(value).strip()

    def validate_value(self, value: str) -> str:
        return self.normalize(value)

    def to_python(self, value):
        if value is None or value == "" or isinstance(value, self.value_class):
            return value
        return self.value_class(self.validate_value(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return self.value_class(decrypt(value))
        except InvalidToken:
            # A key was removed before its data was re-encrypted: fail loudly, never show the token.
            raise ValueError(
                "personal data could not be decrypted with the configured keys"
            ) from None

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        plain = value.reveal() if isinstance(value, MaskedValue) else self.normalize(value)
        return encrypt(plain)

    def pre_save(self, model_instance, add):
        # After save the instance holds a masked value too, so it prints masked from then on.
        value = getattr(model_instance, self.attname)
        if value and not isinstance(value, self.value_class):
            value = self.value_class(self.normalize(value))
            setattr(model_instance, self.attname, value)
        return value

    def value_to_string(self, obj):
        # Serialisation (dumpdata, fixtures) never carries the plain value.
        value = self.value_from_object(obj)
        return (
            self.value_class.mask(value.reveal() if isinstance(value, MaskedValue) else value)
            if value
            else ""
        )

    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", MaskedFormField)
        kwargs.setdefault("clean_value", self.validate_value)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        if self.form_max_length:
            kwargs.setdefault("max_length", self.form_max_length)
        return models.Field.formfield(self, **kwargs)

    def save_form_data(self, instance, data):
        if data is UNCHANGED:
            return
        super().save_form_data(instance, data)

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull"}:
            return None
        return super().get_lookup(lookup_name)


class ResidentIdField(EncryptedMaskedField):
    """A validated resident ID number (GB 11643), encrypted; pair with a KeyedHashField."""

    description = _("身份证号码（加密存储）")
    value_class = ResidentId
    form_max_length = 18

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", _("18位居民身份证号码，加密存储，页面中脱敏显示。"))
        super().__init__(*args, **kwargs)

    def normalize(self, value: str) -> str:
        return normalize_resident_id(value)

    def validate_value(self, value: str) -> str:
        return validate_resident_id(value)


class PhoneNumberField(EncryptedMaskedField):
    """A phone number, encrypted and shown masked."""

    description = _("电话号码（加密存储）")
    value_class = PhoneNumber
    form_max_length = 20

    def normalize(self, value: str) -> str:
        return normalize_phone(value)

    def validate_value(self, value: str) -> str:
        return validate_phone(value)


class PersonNameField(EncryptedMaskedField):
    """A person's name (e.g. a child's), encrypted and shown as 王**."""

    description = _("姓名（加密存储）")
    value_class = PersonName
    form_max_length = 50


class KeyedHashField(models.CharField):
    """Filled on save from its `source` field with `keyed_hash`."""

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
            keyed_hash(plain.reveal() if isinstance(plain, MaskedValue) else plain) if plain else ""
        )
        setattr(model_instance, self.attname, value)
        return value

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        try:
            source = self.model._meta.get_field(self.source)
        except Exception:  # noqa: BLE001 - reported as a check error below
            source = None
        if not isinstance(source, EncryptedMaskedField):
            errors.append(
                checks.Error(
                    f"KeyedHashField source {self.source!r} is not an encrypted personal-data field.",
                    obj=self,
                    id="lequing_tuoyu.E001",
                )
            )
        return errors


def encrypted_fields(model) -> list[EncryptedMaskedField]:
    return [f for f in model._meta.get_fields() if isinstance(f, EncryptedMaskedField)]
