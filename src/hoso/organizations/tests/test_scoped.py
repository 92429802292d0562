"""Organizations: UI and API permission matrix (no / full / other organization)."""

from hoso.core.testing.factories import OrganizationFactory
from hoso.core.testing.scoped import ScopedAPITests, ScopedUITests
from hoso.organizations.choices import Kind, Level
from hoso.organizations.models import Organization


class TestOrganizationScope(ScopedUITests, ScopedAPITests):
    model = Organization
    list_url_name = "organizations:organization-list"
    detail_url_name = "organizations:organization"
    api_list_url = "/api/v1/organizations"

    def create_object(self, organization):
        return OrganizationFactory(
            parent=organization, level=Level.GRASSROOTS, kind=Kind.GRASSROOTS
        )
