from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """Passwords need letters and digits and at least one other kind (upper case or a symbol)."""

    def validate(self, password, user=None):
        has_lower = any(c.islower() for c in password)
        has_upper = any(c.isupper() for c in password)
        has_digit = any(c.isdigit() for c in password)
        has_symbol = any(not c.isalnum() for c in password)
        if not (has_digit and (has_lower or has_upper) and (has_symbol or (has_lower and has_upper))):
            raise ValidationError("密码须同时包含字母和数字，并含有大写字母或符号。", code="password_too_simple")

    def get_help_text(self):
        return "密码须同时包含字母和数字，并含有大写字母或符号。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its message in Chinese: Django 5.2 ships no Chinese text for it (users saw English)."""

    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"
