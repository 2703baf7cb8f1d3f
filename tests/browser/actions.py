"""Counting what an editor does in the browser, for the "in N actions" goals (issue 11)."""


class CountedActions:
    """Every click, fill/type, key press, option pick, file pick and drag, counted as one.

    Tests act through this helper so the count cannot drift from what the test does.
    Picking in a native <select> counts as one action (as a fill does: focus and choose).
    """

    def __init__(self, page):
        self.page = page
        self.log: list[str] = []

    @property
    def count(self) -> int:
        return len(self.log)

    def _note(self, kind, target):
        self.log.append(f"{kind} {target}")

    def click(self, locator, **options):
        self._note("click", locator)
        locator.click(**options)

    def fill(self, locator, text):
        self._note("fill", locator)
        locator.fill(text)

    def select(self, locator, **option):
        self._note("select", locator)
        locator.select_option(**option)

    def check(self, locator):
        self._note("check", locator)
        locator.check()

    def press(self, locator, key):
        self._note(f"press {key}", locator)
        locator.press(key)

    def pick_file(self, locator, files):
        self._note("file pick", locator)
        locator.set_input_files(files)

    def drag(self, source, target):
        self._note("drag", source)
        source.drag_to(target)

    def paste(self, target, *, html: str, text: str):
        """Paste copied text into target (Ctrl+V after copying it elsewhere)."""
        self._note("paste", target)
        target.focus()
        target.evaluate(
            """(element, [html, text]) => {
                const transfer = new DataTransfer();
                transfer.setData("text/html", html);
                transfer.setData("text/plain", text);
                element.dispatchEvent(new ClipboardEvent("paste", {
                    clipboardData: transfer, bubbles: true, cancelable: true,
                }));
            }""",
            [html, text],
        )

    def drop_file(self, target, *, name, data: bytes, mime_type):
        """Drop a file from the desktop onto target, as a drag from the file manager."""
        self._note("drop file", target)
        transfer = self.page.evaluate_handle(
            """([name, bytes, type]) => {
                const transfer = new DataTransfer();
                transfer.items.add(new File([new Uint8Array(bytes)], name, {type}));
                return transfer;
            }""",
            [name, list(data), mime_type],
        )
        for event in ["dragenter", "dragover", "drop"]:
            target.dispatch_event(event, {"dataTransfer": transfer})
