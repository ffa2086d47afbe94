"""8. Public/local timelines and Link-header pagination (fetch_next)."""

from herd_helpers import id_key, ids, marker


def test_public_and_local_timelines(alice, carol):
    tag = marker("tl")
    public = alice.status_post(f"public post {tag}", visibility="public")
    private = alice.status_post(f"private post {tag}", visibility="private")
    unlisted = alice.status_post(f"unlisted post {tag}", visibility="unlisted")

    for name, fetch in (("timeline_local", carol.timeline_local),
                        ("timeline_public", carol.timeline_public)):
        got = ids(fetch())
        assert str(public.id) in got, f"{name}() must include alice's public post"
        assert str(private.id) not in got, f"{name}() must not include a private post"
        assert str(unlisted.id) not in got, f"{name}() must not include an unlisted post"

    # the author's own view of the public timeline does not include her private post either
    assert str(private.id) not in ids(alice.timeline_public())


def test_pagination_with_fetch_next(alice, carol):
    tag = marker("pg")
    posted = [alice.status_post(f"page post {i} {tag}", visibility="public") for i in range(5)]
    expected = [str(p.id) for p in reversed(posted)]  # newest first

    page = carol.timeline_local(limit=2)
    assert len(page) == 2, f"limit=2 must return 2 statuses, got {len(page)}"
    seen = []
    pages = 0
    while page and len(seen) < 6:
        page_ids = ids(page)
        assert len(page_ids) <= 2, f"page {pages} exceeds limit=2: {page_ids}"
        keys = [id_key(i) for i in page_ids]
        numeric = all(i.isdigit() for i in page_ids + seen)  # Mastodon ids are numeric strings
        if numeric:
            assert keys == sorted(keys, reverse=True), f"page {pages} is not newest-first: {page_ids}"
        if seen and numeric:
            assert id_key(page_ids[0]) < id_key(seen[-1]), (
                f"page {pages} is not older than the previous one: {page_ids} after {seen[-2:]}"
            )
        dup = set(page_ids) & set(seen)
        assert not dup, f"duplicate statuses across pages: {dup}"
        seen.extend(page_ids)
        pages += 1
        if len(seen) < 5:
            assert getattr(page, "_pagination_next", None), (
                "no next page: the response needs a Link header with rel=\"next\" carrying max_id"
            )
        page = carol.fetch_next(page)

    assert seen[:5] == expected, (
        f"the 5 newest local statuses should be ours in order; expected {expected}, got {seen[:5]}"
    )


def test_account_statuses_pagination(alice, accounts):
    first = alice.account_statuses(accounts["alice"].id, limit=2)
    assert len(first) == 2
    second = alice.fetch_next(first)
    assert second, "account_statuses must paginate via Link rel=next"
    assert not set(ids(first)) & set(ids(second)), "duplicate statuses across pages"
