"""The sandbox's copy of the Lessonspace dashboard page Settings > Developer.

One self-contained page (inline CSS, no scripts, no external files), so it
works offline and asks nothing of any other server.
"""

from __future__ import annotations

from html import escape
from string import Template

DEVELOPER_PATH = "/settings/developer/"

# string.Template because the CSS braces would fight str.format.
_PAGE = Template("""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lessonspace sandbox: Developer settings</title>
<style>
  body { margin: 0; background: #f3f4f7; color: #1d2230; font: 16px/1.5 system-ui, sans-serif; }
  main { max-width: 38rem; margin: 3rem auto; padding: 2rem 2.25rem; background: #fff;
         border-radius: 8px; box-shadow: 0 1px 4px rgb(0 0 0 / 0.15); }
  h1 { margin-top: 0; font-size: 1.5rem; }
  h2 { font-size: 1.15rem; }
  .notice { padding: 0.75rem 1rem; background: #fff6dc; border-left: 4px solid #d99a00; }
  .new-key { margin: 1.5rem 0; padding: 1rem 1.25rem; background: #eef7ee; border-left: 4px solid #2f8a3b; }
  .new-key input { box-sizing: border-box; width: 100%; padding: 0.5rem; font: 15px ui-monospace, monospace; }
  label.option { display: block; margin: 1rem 0; }
  button { padding: 0.55rem 1.1rem; border: 0; border-radius: 5px; background: #2455c7; color: #fff;
           font: inherit; cursor: pointer; }
  button:focus-visible { outline: 3px solid #9bb8f5; outline-offset: 2px; }
</style>
</head>
<body>
<main>
<h1>Developer settings</h1>
<p class="notice">This is the lsdesk sandbox: a practice copy of the Lessonspace dashboard,
running on this computer. Keys made here only work with this sandbox, never with the real Lessonspace.</p>
<p>Organisation: <strong>$organisation</strong></p>
$new_key
<h2>API key</h2>
<p>Your API key lets lsdesk and other tools act for your organisation. Generating a new key
gives you a fresh one; revoke the previous key at once if it may have leaked.</p>
<form method="post" action="$action">
<label class="option"><input type="checkbox" name="revoke_previous"> Revoke the previous key at once</label>
<button type="submit">Generate new API key</button>
</form>
<h2>Lessons</h2>
<p>A lesson is counted once two people join a Space. Start one here to see lsdesk's
"lessons since the new key" check count it.</p>
$lesson_started
<form method="post" action="$action">
<input type="hidden" name="start_lesson" value="1">
<button type="submit">Start a lesson</button>
</form>
</main>
</body>
</html>
""")

_NEW_KEY = Template("""\
<section class="new-key">
<h2>Your new API key</h2>
<p><label for="new-api-key">Copy this key, then paste it into lsdesk to check and save it.</label></p>
<input id="new-api-key" type="text" readonly value="$key" autocomplete="off" spellcheck="false">
<p>$previous</p>
</section>
""")


def render_developer_page(
    organisation_name: str, new_key: str | None = None, revoked_previous: bool = False, lesson_started: bool = False
) -> str:
    """The page as HTML; with `new_key`, it also shows that key, ready to copy."""
    new_key_section = ""
    if new_key is not None:
        previous = (
            "Your previous keys have been revoked and no longer work."
            if revoked_previous
            else "Your previous keys still work too."
        )
        new_key_section = _NEW_KEY.substitute(key=escape(new_key), previous=previous)
    return _PAGE.substitute(
        organisation=escape(organisation_name),
        new_key=new_key_section,
        lesson_started='<p class="notice">A lesson has started, with two people in it.</p>' if lesson_started else "",
        action=DEVELOPER_PATH,
    )
