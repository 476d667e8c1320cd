package scenarios

import (
	"net/url"
	"strings"
)

// redacted stands in for credentials in a URL that is shown.
const redacted = "xxxxx"

// RedactURL returns rawURL fit to show in logs, the dashboard, reports and
// errors: without a password or a bare user name (often a token). A password is
// replaced by "xxxxx" as url.URL.Redacted does ("http://user:xxxxx@host"); a
// user name given alone is replaced too ("http://xxxxx@host"). A URL without
// userinfo is returned as it is. A string that does not parse as a URL with
// userinfo loses whatever could be userinfo: everything before the last '@' of
// its authority.
//
// Every place that turns a target URL into text calls it; only the runner, which
// sends the credentials as basic auth (see StripUserinfo), sees them.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	switch {
	case err != nil || u.User == nil:
		// Unparsed, or parsed without userinfo but perhaps as a scheme and an
		// opaque part ("user:pw@host:port"): a URL without userinfo has no '@'
		// before its path, so this leaves it as it is.
		return redactAuthority(rawURL)
	case hasPassword(u.User):
		return u.Redacted()
	}
	u.User = url.User(redacted)
	return u.String()
}

// StripUserinfo returns rawURL without its userinfo, and the userinfo (nil when
// it has none). A string that does not parse is returned as it is, with nil.
func StripUserinfo(rawURL string) (string, *url.Userinfo) {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL, nil
	}
	user := u.User
	u.User = nil
	return u.String(), user
}

func hasPassword(u *url.Userinfo) bool {
	_, ok := u.Password()
	return ok
}

// redactAuthority replaces what precedes the last '@' of the authority of s
// (after "://", or from the start, up to the first '/', '?' or '#').
func redactAuthority(s string) string {
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + len("://")
	}
	rest := s[start:]
	end := len(rest)
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		end = i
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return s
	}
	return s[:start] + redacted + rest[at:]
}
