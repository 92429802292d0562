"""factory_boy factories for organizations, people and positions."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from hoso.accounts.models import Person, Position, Role
from hoso.organizations.choices import Kind, Level
from hoso.organizations.models import Organization


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An organization with its materialized path computed like the service."""

    class Meta:
        model = Organization

    parent = None
    level = Level.COMMUNE
    kind = Kind.COMMITTEE
    code = factory.Sequence(lambda n: f"ORG{n:05d}")
    name = factory.Sequence(lambda n: f"Đảng bộ xã Thử Nghiệm {n}")
    abbreviation = "ĐU"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        parent = kwargs.get("parent")
        obj = model_class(*args, **kwargs)
        obj.path = f"/new-{kwargs['code']}/"
        obj.save()
        obj.path = f"{parent.path if parent else '/'}{obj.pk}/"
        obj.depth = parent.depth + 1 if parent else 0
        obj.save(update_fields=["path", "depth"])
        return obj


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "Str0ng-Passw0rd!")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"role-{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    permissions = factory.LazyFunction(list)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = factory.SubFactory(RoleFactory)
