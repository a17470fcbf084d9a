"""axe-core on every page the browser tests open: after a test, each HTML page its browser
contexts navigated to is opened again with the same session and checked against WCAG 2.1 A
and AA. The engine is vendored (vendor/axe-core, from npm) and injected by the test, never
served by the platform."""

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Pages that are not ours to fix: Swagger UI's generated page.
SKIP_PREFIXES = ("/api/docs",)

RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def watch(context, visited: list) -> None:
    """Record every URL the context's pages navigate to."""

    def on_page(page):
        page.on(
            "framenavigated",
            lambda frame: frame == page.main_frame and visited.append(frame.url),
        )

    context.on("page", on_page)


def check(browser, base_url: str, context, visited: list) -> list[str]:
    """The violations on the pages visited, one line each (empty when all pass)."""
    urls = []
    for url in visited:
        path = url[len(base_url) :] if url.startswith(base_url) else None
        if path is None or path.startswith(SKIP_PREFIXES):
            continue
        path = path.split("#")[0]
        if path not in urls:
            urls.append(path)
    if not urls:
        return []
    try:
        state = context.storage_state()
    except Exception:  # the test closed its context: the pages' session is gone with it
        return []
    checker = browser.new_context(
        base_url=base_url,
        bypass_csp=True,  # the engine is injected as an inline script
        storage_state=state,
        service_workers="block",
        locale="zh-CN",
        viewport=context.pages[0].viewport_size if context.pages else None,
    )
    found = []
    try:
        page = checker.new_page()
        for path in urls:
            response = page.goto(path)
            if response is None or response.status != 200:
                continue
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            page.add_script_tag(path=str(AXE))
            for v in page.evaluate(RUN, TAGS):
                found.append(f"{path}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}")
    finally:
        checker.close()
    return found
