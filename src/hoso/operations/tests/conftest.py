"""Fixtures of the operations centre's tests."""

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def people(tree, make_user):
    """A province secretary (assigns, accepts), a commune secretary (leads,
    splits), a commune specialist (coordinates), a cell secretary."""
    return {
        "leader": make_user("secretary", tree["province"]).person,
        "commune": make_user("secretary", tree["a"]).person,
        "specialist": make_user("specialist", tree["a"]).person,
        "cell": make_user("secretary", tree["cell_a"]).person,
        "other": make_user("secretary", tree["b"]).person,
    }


@pytest.fixture
def make_task(tree, people):
    from hoso.operations import services

    def make(**overrides):
        data = {
            "acting_user": people["leader"].user,
            "title": "Số hóa hồ sơ đảng viên",
            "description": "Nhập đầy đủ hồ sơ đảng viên vào cơ sở dữ liệu.",
            "lead": people["commune"],
            "deadline": timezone.localdate() + timedelta(days=10),
            "coordinators": [people["specialist"]],
            "product": "Báo cáo kết quả số hóa",
            "authority": people["leader"],
            "organization": tree["a"],
        }
        data.update(overrides)
        return services.create_task(**data)

    return make
