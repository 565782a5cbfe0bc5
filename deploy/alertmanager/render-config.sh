#!/bin/sh
# render-config.sh SOURCE TARGET: writes Alertmanager's config with the app's own mail settings, so
# alerts leave through the same relay as the app's emails. Runs in the alertmanager container (busybox
# sh and awk) before Alertmanager starts, and in `npm test`. From the environment:
#   SMTP_URL                smtp://[user:pass@]host[:port] or smtps://… as the app reads it (default
#                           smtp://mail:1025, the dev stack's Mailpit); a port left out is 587 (465
#                           for smtps); percent-escapes in the user and password are decoded
#   ALERT_EMAIL_FROM        the From address (default: MAIL_FROM, the app's)
#   ALERT_EMAIL_CRITICAL    who gets critical alerts (default oncall@localhost)
#   ALERT_EMAIL_WARNING     who gets warnings (default team@localhost)
#   ALERT_SMTP_REQUIRE_TLS  STARTTLS required: true or false (default: true when SMTP_URL carries a
#                           user, whose password must not cross in the clear; smtps on 465 is TLS anyway)
# The SOURCE's `global:` block is replaced; everything else is copied, the receivers' addresses filled in.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 SOURCE TARGET" >&2; exit 2; }
awk '
  function decode(text,   out, i, c) {
    out = ""
    for (i = 1; i <= length(text); i++) {
      c = substr(text, i, 1)
      if (c == "%" && i + 2 <= length(text)) {
        out = out sprintf("%c", 16 * hex(substr(text, i + 1, 1)) + hex(substr(text, i + 2, 1)))
        i += 2
      } else out = out c
    }
    return out
  }
  function hex(digit) { return index("0123456789abcdef", tolower(digit)) - 1 }
  # A YAML single-quoted scalar: a quote inside is doubled.
  function quoted(text) { gsub(/\047/, "\047\047", text); return "\047" text "\047" }
  function setting(name, fallback) { return (name in ENVIRON && ENVIRON[name] != "") ? ENVIRON[name] : fallback }
  BEGIN {
    url = setting("SMTP_URL", "smtp://mail:1025")
    if (url !~ /^smtps?:\/\/[^\/]/) { print "render-config.sh: SMTP_URL must be smtp:// or smtps://" > "/dev/stderr"; exit 2 }
    scheme = substr(url, 1, index(url, ":") - 1)
    rest = substr(url, length(scheme) + 4)
    sub(/[\/?].*$/, "", rest)
    user = ""; password = ""
    at = 0
    for (i = length(rest); i > 0; i--) if (substr(rest, i, 1) == "@") { at = i; break }
    if (at) {
      credentials = substr(rest, 1, at - 1); rest = substr(rest, at + 1)
      colon = index(credentials, ":")
      if (colon) { user = decode(substr(credentials, 1, colon - 1)); password = decode(substr(credentials, colon + 1)) }
      else user = decode(credentials)
    }
    if (rest !~ /:[0-9]+$/) rest = rest ":" (scheme == "smtps" ? 465 : 587)
    from = setting("ALERT_EMAIL_FROM", setting("MAIL_FROM", "Form Backend <no-reply@localhost>"))
    tls = setting("ALERT_SMTP_REQUIRE_TLS", (user != "" && scheme == "smtp") ? "true" : "false")
    if (tls != "true" && tls != "false") { print "render-config.sh: ALERT_SMTP_REQUIRE_TLS must be true or false" > "/dev/stderr"; exit 2 }
    critical = setting("ALERT_EMAIL_CRITICAL", "oncall@localhost")
    warning = setting("ALERT_EMAIL_WARNING", "team@localhost")
  }
  /^global:/ {
    print "global:"
    print "  smtp_smarthost: " quoted(rest)
    print "  smtp_from: " quoted(from)
    print "  smtp_require_tls: " tls
    if (user != "") print "  smtp_auth_username: " quoted(user)
    if (password != "") print "  smtp_auth_password: " quoted(password)
    print ""
    skipping = 1
    next
  }
  skipping && /^[^ #]/ { skipping = 0 }
  skipping { next }
  /to: \047oncall@localhost\047/ { sub(/\047oncall@localhost\047/, quoted(critical)) }
  /to: \047team@localhost\047/ { sub(/\047team@localhost\047/, quoted(warning)) }
  { print }
' "$1" > "$2"
