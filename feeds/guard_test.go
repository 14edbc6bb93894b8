package feeds

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestIsPublic(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"93.184.216.34", true},
		{"8.8.8.8", true},
		{"2606:4700:4700::1111", true},
		{"127.0.0.1", false},
		{"127.8.9.10", false},
		{"::1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"fe80::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"100.64.0.1", false},
		{"255.255.255.255", false},
		{"198.18.0.1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:93.184.216.34", true},
		{"64:ff9b::a00:1", false},
		{"2002:7f00:1::", false},
	} {
		if got := IsPublic(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("IsPublic(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

// portOf is the port of an httptest server's URL.
func portOf(tb testing.TB, rawURL string) uint16 {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	n, err := strconv.Atoi(u.Port())
	if err != nil {
		tb.Fatal(err)
	}
	return uint16(n)
}

func TestFetchGuard(t *testing.T) {
	private := mustServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, rssBody) })
	public := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/to-private" {
			http.Redirect(w, r, private.URL+"/feed", http.StatusFound)
			return
		}
		io.WriteString(w, rssBody)
	})
	// The "public" server is on loopback too: the test hook counts its port
	// as public, so the guard can be exercised without leaving the machine.
	g := &guard{publicPorts: map[uint16]bool{portOf(t, public.URL): true}}
	f := newFetcher(Options{}, g)

	cases := []struct {
		name      string
		url       string
		untrusted bool
		wantAddr  string // "" means allowed
	}{
		{"trusted loopback", private.URL, false, ""},
		{"untrusted public", public.URL, true, ""},
		{"untrusted 127.0.0.1", private.URL, true, "127.0.0.1"},
		{"untrusted redirect to private", public.URL + "/to-private", true, "127.0.0.1"},
		// The guard runs before connect: nothing is sent to these.
		{"untrusted 10.x", "http://10.20.30.40:8080/feed", true, "10.20.30.40"},
		{"untrusted metadata", "http://169.254.169.254/latest/meta-data/", true, "169.254.169.254"},
		{"untrusted 0.0.0.0", "http://0.0.0.0:9/", true, "0.0.0.0"},
		{"untrusted mapped", "http://[::ffff:127.0.0.1]:9/", true, "127.0.0.1"},
		{"untrusted localhost name", "http://localhost:" + strconv.Itoa(int(portOf(t, private.URL))) + "/", true, "127.0.0.1|::1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := f.Fetch(t.Context(), feedAt(tc.url), Validators{}, tc.untrusted)
			if tc.wantAddr == "" {
				if err != nil || string(r.Body) != rssBody {
					t.Fatalf("got %q, %v; want the feed", r.Body, err)
				}
				return
			}
			if !errors.Is(err, ErrPrivateAddress) {
				t.Fatalf("got %v, want ErrPrivateAddress", err)
			}
			named := false
			for _, a := range strings.Split(tc.wantAddr, "|") {
				named = named || strings.Contains(err.Error(), a)
			}
			if !named {
				t.Fatalf("error %q does not name the address %s", err, tc.wantAddr)
			}
		})
	}
}

func TestFetchGuardIPv6Loopback(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, rssBody) }))
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	f := NewFetcher(Options{})
	if _, err := f.Fetch(t.Context(), feedAt(srv.URL), Validators{}, true); !errors.Is(err, ErrPrivateAddress) || !strings.Contains(err.Error(), "::1") {
		t.Fatalf("got %v, want ErrPrivateAddress naming ::1", err)
	}
	if _, err := f.Fetch(t.Context(), feedAt(srv.URL), Validators{}, false); err != nil {
		t.Fatalf("trusted: got %v, want the feed", err)
	}
}

// roundTripper is a RoundTripper that is not an *http.Transport.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestFetchGuardForeignTransport(t *testing.T) {
	srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, rssBody) })
	calls := 0
	rt := roundTripper(func(r *http.Request) (*http.Response, error) {
		calls++
		return http.DefaultTransport.RoundTrip(r)
	})
	f := NewFetcher(Options{Transport: rt})
	if _, err := f.Fetch(t.Context(), feedAt(srv.URL), Validators{}, true); !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("untrusted: got %v, want ErrPrivateAddress", err)
	}
	if calls != 0 {
		t.Fatalf("the refused request reached the transport %d times", calls)
	}
	if _, err := f.Fetch(t.Context(), feedAt(srv.URL), Validators{}, false); err != nil || calls != 1 {
		t.Fatalf("trusted: got %v after %d calls, want the feed in 1", err, calls)
	}
}

// fakeResolver answers from a table.
type fakeResolver map[string][]string

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	as, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, a := range as {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func TestCheckURL(t *testing.T) {
	res := fakeResolver{
		"news.example":     {"93.184.216.34", "2606:2800:220:1::1"},
		"rebind.example":   {"93.184.216.34", "127.0.0.1"},
		"intranet.example": {"10.0.0.5"},
	}
	cases := []struct {
		name         string
		raw          string
		allowPrivate bool
		want         string // the URL returned, or "" for an error
		errHas       string
	}{
		{"public name", "https://news.example/rss", false, "https://news.example/rss", ""},
		{"public ip", "http://93.184.216.34:8080/feed", false, "http://93.184.216.34:8080/feed", ""},
		{"slack wrapped", "<https://news.example/rss|news.example/rss>", false, "https://news.example/rss", ""},
		{"upper-case scheme", "HTTPS://news.example/rss", false, "https://news.example/rss", ""},
		{"ftp", "ftp://news.example/rss", false, "", "want http or https"},
		{"javascript", "javascript:alert(1)", false, "", "want http or https"},
		{"no scheme", "news.example/rss", false, "", "want http or https"},
		{"no host", "http:///rss", false, "", "no host"},
		{"userinfo", "https://user:pw@news.example/rss", false, "", "user names and passwords"},
		{"bad port", "https://news.example:99999/rss", false, "", "port"},
		{"too long", "https://news.example/" + strings.Repeat("a", MaxURL), false, "", "limit"},
		{"empty", "  ", false, "", "empty"},
		{"loopback", "http://127.0.0.1/", false, "", "127.0.0.1"},
		{"ipv6 loopback", "http://[::1]:8080/", false, "", "::1"},
		{"private", "http://10.1.1.1/", false, "", "10.1.1.1"},
		{"link-local", "http://169.254.169.254/", false, "", "169.254.169.254"},
		{"one private answer", "https://rebind.example/", false, "", "127.0.0.1"},
		{"private name", "https://intranet.example/", false, "", "10.0.0.5"},
		{"unknown name", "https://nowhere.example/", false, "", "no such host"},
		{"private allowed", "http://10.1.1.1/", true, "http://10.1.1.1/", ""},
		{"private name allowed", "https://intranet.example/", true, "https://intranet.example/", ""},
		{"allowed still wants http", "gopher://10.1.1.1/", true, "", "want http or https"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u, err := checkURL(t.Context(), tc.raw, tc.allowPrivate, nil, res)
			if tc.want != "" {
				if err != nil || u.String() != tc.want {
					t.Fatalf("got %v, %v; want %s", u, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("got %v, %v; want an error with %q", u, err, tc.errHas)
			}
			if strings.Contains(tc.name, "private") || strings.Contains(tc.name, "loopback") || strings.Contains(tc.name, "link-local") {
				if !errors.Is(err, ErrPrivateAddress) {
					t.Fatalf("got %v, want ErrPrivateAddress", err)
				}
			}
		})
	}
	// The exported CheckURL needs no DNS for literal addresses.
	if _, err := CheckURL(t.Context(), "http://127.0.0.1:8080/", false); !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("CheckURL loopback: got %v, want ErrPrivateAddress", err)
	}
	if _, err := CheckURL(t.Context(), "http://127.0.0.1:8080/", true); err != nil {
		t.Fatalf("CheckURL loopback allowed: got %v", err)
	}
}
