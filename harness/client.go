package harness

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
	"contend/scenarios"
)

// newAttackClient returns the HTTP client of one attack: keep-alive on, at least
// conns idle connections kept, no proxy, each request bounded by timeout and
// aborted when ctx is cancelled. The caller must call the returned close function.
func newAttackClient(ctx context.Context, timeout time.Duration, conns int) (*http.Client, func()) {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:               nil, // a load test measures the target, never a proxy
		DialContext:         dialer.DialContext,
		MaxIdleConns:        0, // no global cap
		MaxIdleConnsPerHost: max(conns, 1),
		IdleConnTimeout:     90 * time.Second,
		DisableKeepAlives:   false,
	}
	// The timeout lives in the transport, not in http.Client.Timeout: the client's
	// own timeout on a wrapped transport costs a goroutine, a timer and channels per
	// request (net/http's slow cancellation path), about a fifth of the runner's CPU
	// per request at full speed.
	c := &http.Client{Transport: &ctxTransport{ctx: ctx, timeout: timeout, base: tr}}
	return c, tr.CloseIdleConnections
}

// ctxTransport bounds every request by the client timeout and by the run's
// context: vegeta builds its requests without a context, so without this a
// cancelled run would wait for its in-flight requests to time out.
type ctxTransport struct {
	ctx     context.Context
	timeout time.Duration // 0: no timeout
	base    http.RoundTripper
}

// RoundTrip sends req under one context derived from the run's, with the client
// timeout as its deadline. It lives until the response body is closed, so the
// timeout covers reading the body too.
func (t *ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := t.ctx, context.CancelFunc(func() {})
	if t.timeout > 0 {
		ctx, cancel = context.WithTimeout(t.ctx, t.timeout)
	}
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, t.stopped(err)
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: cancel, stopped: t.stopped}
	return resp, nil
}

// errRunStopped replaces the error of a request cut off because the run was
// stopped, whatever the cancellation's cause says ("context canceled",
// "interrupt signal received"), so that reports count it as cancelled.
var errRunStopped = errors.New(reports.RunStoppedError)

// stopped returns errRunStopped for an error that came while the run was being
// stopped, and err otherwise.
func (t *ctxTransport) stopped(err error) error {
	if err != nil && t.ctx.Err() != nil {
		return errRunStopped
	}
	return err
}

// releasingBody releases the merged request context when the body is closed.
type releasingBody struct {
	io.ReadCloser
	release func()
	stopped func(error) error
}

func (b *releasingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.stopped(err)
	}
	return n, err
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// newTargeter returns a vegeta.Targeter for the scenario's request against base,
// counting every hit it hands out in *sent (for the in-flight gauge).
func newTargeter(req scenarios.Request, base string, sent *atomic.Int64) vegeta.Targeter {
	method := req.Method
	if method == "" {
		method = scenarios.DefaultMethod
	}
	path := req.Path
	if path == "" {
		path = scenarios.DefaultPath
	}
	target := vegeta.Target{
		Method: method,
		URL:    joinURL(base, path),
		Header: make(http.Header, len(req.Headers)),
	}
	if req.Body != "" {
		target.Body = []byte(req.Body)
	}
	for k, v := range req.Headers {
		target.Header.Set(k, v)
	}
	return func(t *vegeta.Target) error {
		if t == nil {
			return vegeta.ErrNilTarget
		}
		sent.Add(1)
		// Body and Header are shared by every hit: vegeta only reads them (it copies
		// the header into each request it builds).
		*t = target
		return nil
	}
}

// joinURL appends path to base with exactly one slash between them.
func joinURL(base, path string) string {
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(path, "/")
}

// rootURL returns scheme://host of u, for the Runner's own probes.
func rootURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return p.Scheme + "://" + p.Host
}

// ErrRemoteTarget is returned (wrapped) for an external target whose host is not
// a loopback address when AllowRemote was not given.
var ErrRemoteTarget = errors.New("target host is not loopback (127.0.0.0/8, ::1, localhost): pass --allow-remote to attack it anyway")

// CheckTargetURL validates an external target URL: http or https with a host, and a
// loopback host unless allowRemote. It resolves no names: only "localhost" and
// loopback IP literals count as loopback.
func CheckTargetURL(raw string, allowRemote bool) error {
	shown := scenarios.RedactURL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its message repeats the URL, credentials and all
		}
		return fmt.Errorf("target url %q: %w", shown, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("target url %q: scheme must be http or https", shown)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("target url %q: no host", shown)
	}
	if !allowRemote && !isLoopback(u.Hostname()) {
		return fmt.Errorf("target url %q: %w", shown, ErrRemoteTarget)
	}
	return nil
}

// basicAuth returns req with an Authorization header for user's name and
// password, as net/http would send for a URL's userinfo; req as it is when user
// is nil or req sets Authorization itself. The header map is copied, not changed.
func basicAuth(req scenarios.Request, user *url.Userinfo) scenarios.Request {
	if user == nil {
		return req
	}
	if _, ok := req.Header("Authorization"); ok {
		return req
	}
	req.Headers = maps.Clone(req.Headers)
	if req.Headers == nil {
		req.Headers = map[string]string{}
	}
	req.Headers["Authorization"] = authorization(user)
	return req
}

// authorization is the basic auth header value for user's name and password.
func authorization(user *url.Userinfo) string {
	pw, _ := user.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user.Username()+":"+pw))
}

// isLoopback reports whether host names this machine's loopback interface.
func isLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// withUserinfo makes c send user as basic auth on every request, as net/http
// does for a URL's userinfo; c as it is when user is nil.
func withUserinfo(c *http.Client, user *url.Userinfo) *http.Client {
	if user != nil {
		c.Transport = userinfoTransport{base: c.Transport, user: user}
	}
	return c
}

// userinfoTransport adds basic auth with a URL's credentials to each request.
type userinfoTransport struct {
	base http.RoundTripper
	user *url.Userinfo
}

func (t userinfoTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", authorization(t.user))
	return t.base.RoundTrip(req)
}

// probeClient is the client of the Runner's own requests (health, readiness,
// metrics): no keep-alive, so nothing lingers after a run.
func probeClient() *http.Client {
	return &http.Client{
		Timeout:   DefaultProbeTimeout,
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}
}

// getStatus returns the status code of GET url, or an error when none came back.
func getStatus(ctx context.Context, c *http.Client, url string) (int, error) {
	_, code, err := get(ctx, c, url, 0)
	return code, err
}

// get returns up to limit bytes of GET url's body (all of it when limit <= 0) and
// its status code.
func get(ctx context.Context, c *http.Client, url string, limit int64) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("get %s: %w", url, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("get %s: %w", url, err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if limit > 0 {
		r = io.LimitReader(resp.Body, limit)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("get %s: read body: %w", url, err)
	}
	return body, resp.StatusCode, nil
}
