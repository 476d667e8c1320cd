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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
	"contend/scenarios"
)

// newAttackClient returns the HTTP client of one attack: keep-alive on, conns
// idle connections kept (one per worker), no proxy, no transparent compression
// (a scenario that wants it sends Accept-Encoding itself and gets the bytes as
// sent), each request bounded by timeout and aborted when ctx is cancelled. The
// returned ledger holds what the transport measured of each request; the caller
// must call the returned close function.
//
// closePast >= 0 makes a body end, and its connection close, once more than
// closePast bytes of it were read (request.past_max_body: close); -1 reads every
// body to its end.
func newAttackClient(ctx context.Context, timeout time.Duration, conns int, closePast int64) (*http.Client, *ledger, func()) {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:               nil, // a load test measures the target, never a proxy
		DialContext:         dialer.DialContext,
		MaxIdleConns:        0, // no global cap
		MaxIdleConnsPerHost: max(conns, 1),
		IdleConnTimeout:     90 * time.Second,
		DisableKeepAlives:   false,
		DisableCompression:  true,
	}
	// The timeout lives in the transport, not in http.Client.Timeout: the client's
	// own timeout on a wrapped transport costs a goroutine, a timer and channels per
	// request (net/http's slow cancellation path), about a fifth of the runner's CPU
	// per request at full speed.
	l := &ledger{}
	c := &http.Client{Transport: &ctxTransport{ctx: ctx, timeout: timeout, base: tr, ledger: l, closePast: closePast}}
	unwatch := context.AfterFunc(ctx, l.stop)
	return c, l, func() {
		unwatch()
		tr.CloseIdleConnections()
	}
}

// exchange is what the transport saw of one request. Latency and the client
// timeout both run from sent, so no response can succeed later than its timeout:
// a body that ends after the deadline reads as context.DeadlineExceeded.
type exchange struct {
	sent  time.Time // the request was handed to the transport; the deadline is sent + timeout
	done  time.Time // the response's last byte, or the error
	bytes uint64    // body bytes read, all of them, however few the result keeps
	err   error     // the transport's own error, for classification; nil on success
	// cancel ends the request's context; the ledger calls it when the run stops.
	cancel context.CancelFunc
}

// ledger maps vegeta's sequence number (its X-Vegeta-Seq header) to the
// request's exchange until the attack's result loop takes it. It holds only
// the requests in flight, and cancels them all when the run stops: each
// request's context hangs off context.Background, not the run's, because
// deriving it from the run's context made every request of every worker take
// and release one shared lock (the parent's, registering and removing the child).
type ledger struct {
	mu      sync.Mutex
	m       map[uint64]*exchange
	stopped bool // the run was stopped: no request may start
}

// start returns seq's exchange, begun now, with the context the request is
// sent under: cancelled when the run stops, and when timeout > 0 past its
// deadline, the exchange's send plus timeout. A redirect's next hop (same seq)
// continues the first hop's exchange, so latency and timeout cover every hop.
// Once the run was stopped the exchange is recorded as cut off by it and ok is
// false: the request must not be sent.
func (l *ledger) start(seq uint64, timeout time.Duration) (x *exchange, ctx context.Context, ok bool) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[uint64]*exchange)
	}
	if old, found := l.m[seq]; found {
		*old = exchange{sent: old.sent}
		x = old
	} else {
		x = &exchange{sent: now}
		l.m[seq] = x
	}
	if l.stopped {
		x.done, x.err = now, reports.ErrRunStopped
		return x, nil, false
	}
	if timeout > 0 {
		ctx, x.cancel = context.WithDeadline(context.Background(), x.sent.Add(timeout))
	} else {
		ctx, x.cancel = context.WithCancel(context.Background())
	}
	return x, ctx, true
}

// stop cancels every request in flight and refuses new ones.
func (l *ledger) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
	for _, x := range l.m {
		if x.cancel != nil {
			x.cancel()
		}
	}
}

// take removes and returns seq's exchange.
func (l *ledger) take(seq uint64) (*exchange, bool) {
	l.mu.Lock()
	x, ok := l.m[seq]
	delete(l.m, seq)
	l.mu.Unlock()
	return x, ok
}

// settle rewrites res with what the transport measured: the start at the send,
// the latency to the last byte, every byte read. It returns the transport's error
// (nil when it saw none), which decides the outcome with errors.Is.
func (l *ledger) settle(res *vegeta.Result) error {
	x, ok := l.take(res.Seq)
	if !ok || x.done.IsZero() {
		return nil // the request never reached the transport (a targeter error)
	}
	res.Timestamp = x.sent
	res.Latency = x.done.Sub(x.sent)
	res.BytesIn = x.bytes
	return x.err
}

// ctxTransport bounds every request by the client timeout and by the run's
// context: vegeta builds its requests without a context, so without this a
// cancelled run would wait for its in-flight requests to time out.
type ctxTransport struct {
	ctx     context.Context
	timeout time.Duration // 0: no timeout
	base    http.RoundTripper
	ledger  *ledger
	// closePast, when >= 0, ends each body once more than closePast bytes were read.
	closePast int64
}

// RoundTrip sends req under one context derived from the run's, with the client
// timeout as its deadline. It lives until the response body is closed, so the
// timeout covers reading the body too.
func (t *ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var (
		x      *exchange
		ctx    context.Context
		cancel context.CancelFunc
	)
	if seq, err := strconv.ParseUint(req.Header.Get("X-Vegeta-Seq"), 10, 64); err == nil {
		var ok bool
		if x, ctx, ok = t.ledger.start(seq, t.timeout); !ok {
			return nil, x.err
		}
		cancel = x.cancel
	} else {
		// Not vegeta's request: measured, not recorded, stopped with the run.
		x = &exchange{sent: time.Now()}
		ctx, cancel = t.ctx, func() {}
		if t.timeout > 0 {
			ctx, cancel = context.WithDeadline(t.ctx, x.sent.Add(t.timeout))
		}
	}
	var deadline time.Time
	if t.timeout > 0 {
		deadline = x.sent.Add(t.timeout)
	}
	resp, err := t.send(ctx, req)
	if err != nil {
		cancel()
		x.done, x.err = time.Now(), t.stopped(err)
		return nil, x.err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: cancel, t: t, x: x, deadline: deadline, closePast: t.closePast}
	return resp, nil
}

// foreignRetries bounds how often a request is sent again after failing with
// another request's deadline.
const foreignRetries = 2

// errForeignDeadline is the error of a request that kept landing on connections
// closed by other requests' timeouts. Its text must not say "timeout": read
// back from a results file it would then count as one (reports.Classify), while
// live it is a lost connection, no timeout of its own.
var errForeignDeadline = errors.New("connection lost: closed by another request's deadline")

// send sends req under ctx. net/http can hand a request a connection that
// another request's deadline is closing, and the request then fails with that
// deadline's error before its own: that is no timeout of this request, so it is
// sent again (bounded), and if it keeps happening reported as a lost connection.
func (t *ctxTransport) send(ctx context.Context, req *http.Request) (*http.Response, error) {
	r := req.WithContext(ctx)
	for attempt := 0; ; attempt++ {
		resp, err := t.base.RoundTrip(r)
		if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return resp, err
		}
		if attempt == foreignRetries || (req.Body != nil && req.GetBody == nil) {
			return nil, errForeignDeadline
		}
		r = req.Clone(ctx)
		if req.GetBody != nil {
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, errForeignDeadline
			}
			r.Body = body
		}
	}
}

// stopped returns reports.ErrRunStopped for an error that came while the run was being
// stopped, and err otherwise.
func (t *ctxTransport) stopped(err error) error {
	if err != nil && t.ctx.Err() != nil {
		// Whatever the cancellation's cause says ("context canceled", "interrupt
		// signal received"), the request was cut off by the run: cancelled.
		return reports.ErrRunStopped
	}
	return err
}

// releasingBody counts the bytes read, notes when the body ended, and releases
// the request's context when it is closed.
type releasingBody struct {
	io.ReadCloser
	release  func()
	t        *ctxTransport
	x        *exchange
	deadline time.Time // zero: none
	// closePast >= 0: the body ends once more than closePast bytes were read; the
	// rest is never read, so closing it closes the connection.
	closePast int64
}

func (b *releasingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.x.bytes += uint64(n)
	if err == nil && b.closePast >= 0 && b.x.bytes > uint64(b.closePast) {
		err = io.EOF // past what the result keeps: stop here, as past_max_body: close asks
	}
	if err == nil {
		return n, nil
	}
	now := time.Now()
	if err == io.EOF && !b.deadline.IsZero() && now.After(b.deadline) {
		// The last byte came after the deadline, before its timer fired: that is
		// a timeout, whatever the race between the two says.
		err = fmt.Errorf("reading the body: %w", context.DeadlineExceeded)
	}
	if err != io.EOF {
		err = b.t.stopped(err)
		b.x.err = err
	}
	if b.x.done.IsZero() {
		b.x.done = now
	}
	return n, err
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	if b.x.done.IsZero() {
		b.x.done = time.Now() // closed before its end: vegeta read no further
	}
	b.release()
	return err
}

// newTargeter returns a vegeta.Targeter for the scenario's request against base,
// counting every hit it hands out in *sent (for the in-flight gauge).
func newTargeter(req scenarios.Request, base string, sent *atomic.Int64) vegeta.Targeter {
	target := vegeta.Target{
		Method: req.Method, // ApplyDefaults filled in the method and path
		URL:    joinURL(base, req.Path),
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
