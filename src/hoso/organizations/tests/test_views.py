"""Organization pages: tree, children fragment, create and edit forms."""

from django.urls import reverse

from hoso.organizations.models import Organization


def test_tree_starts_at_the_top_of_the_scope(client, tree, make_user):
    client.force_login(make_user("secretary", tree["a"]))
    response = client.get(reverse("organizations:tree"))
    assert list(response.context["nodes"]) == [tree["a"]]
    assert b'data-test="node-B"' not in response.content


def test_children_fragment_and_404_outside(client, tree, make_user):
    client.force_login(make_user("secretary", tree["a"]))
    url = reverse("organizations:organization-children", args=[tree["a"].pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"Chi b\xe1\xbb\x99 1" in response.content
    other = reverse("organizations:organization-children", args=[tree["b"].pk])
    assert client.get(other).status_code == 404


def test_create_form_goes_through_service(client, tree, make_user):
    client.force_login(make_user("secretary", tree["province"]))
    response = client.post(
        reverse("organizations:organization-add"),
        {
            "parent": tree["a"].pk,
            "level": "cell",
            "kind": "cell",
            "code": "A-9",
            "name": "Chi bộ thôn 9",
            "abbreviation": "CB",
            "document_style": "party",
        },
    )
    created = Organization.objects.get(code="A-9")
    assert response.status_code == 302
    assert response.url == created.get_absolute_url()
    assert created.path.startswith(tree["a"].path)


def test_create_form_error_is_shown(client, tree, make_user):
    client.force_login(make_user("secretary", tree["province"]))
    response = client.post(
        reverse("organizations:organization-add"),
        {
            "parent": tree["cell_a"].pk,
            "level": "cell",
            "kind": "cell",
            "code": "Z",
            "name": "Con của chi bộ",
        },
    )
    # A cell is not offered as a parent at all.
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Organization.objects.filter(code="Z").exists()


def test_edit_outside_scope_is_404(client, tree, make_user):
    client.force_login(make_user("secretary", tree["a"]))
    url = reverse("organizations:organization-edit", args=[tree["b"].pk])
    assert client.get(url).status_code == 404


def test_edit_renames(client, tree, make_user):
    client.force_login(make_user("secretary", tree["province"]))
    url = reverse("organizations:organization-edit", args=[tree["a"].pk])
    response = client.post(
        url,
        {
            "parent": tree["province"].pk,
            "level": "commune",
            "kind": "committee",
            "code": "A",
            "name": "Đảng bộ phường An",
            "abbreviation": "ĐU",
            "document_style": "party",
        },
    )
    assert response.status_code == 302
    tree["a"].refresh_from_db()
    assert tree["a"].name == "Đảng bộ phường An"
