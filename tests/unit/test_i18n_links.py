"""The language switch keeps the page and its query (directory filters survive)."""


def test_language_link_keeps_the_query(client):
    html = client.get("/talents?q=amina&availability=soon").get_data(as_text=True)
    assert 'href="/talents?q=amina&amp;availability=soon&amp;lang=en"' in html
