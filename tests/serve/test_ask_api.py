"""The ask endpoint and the ask box on the recap page (the shared talk recap)."""

from __future__ import annotations


def test_page_has_the_ask_box_and_its_script(client, talk_id):
    html = client.get(f"/recaps/{talk_id}").text
    assert 'id="ask-form"' in html and 'id="ask-answer"' in html and "/static/ask.js" in html
    assert client.get("/static/ask.js").status_code == 200


def test_ask_answers_with_times_inside_the_video(client, talk_id):
    r = client.get(f"/api/recaps/{talk_id}/ask", params={"q": "How long does the spaghetti cook?"})
    assert r.status_code == 200
    data = r.json()
    assert data["found"] and data["citations"] and "spaghetti" in data["answer"].lower()
    assert all(0 <= c[0] <= c[1] for c in data["citations"]) and "[0:" in data["answer"]


def test_ask_input_errors(client, talk_id):
    assert client.get(f"/api/recaps/{talk_id}/ask", params={"q": "  "}).status_code == 400
    assert client.get(f"/api/recaps/{talk_id}/ask").status_code == 422
    assert client.get("/api/recaps/nope/ask", params={"q": "x"}).status_code == 404
