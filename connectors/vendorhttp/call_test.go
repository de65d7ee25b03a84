package vendorhttp

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
)

func TestNextLink(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   []string
		want string
	}{
		{"none", nil, ""},
		{"last page: no next", []string{`<https://x/api?page=1>; rel="first"`}, ""},
		{"ServiceNow: no space after ;", []string{`<https://i.service-now.com/api/now/table/cmdb_ci_computer?sysparm_limit=2&sysparm_offset=0>;rel="first",<https://i.service-now.com/api/now/table/cmdb_ci_computer?sysparm_limit=2&sysparm_offset=2>;rel="next",<https://i.service-now.com/api/now/table/cmdb_ci_computer?sysparm_limit=2&sysparm_offset=8>;rel="last"`},
			"https://i.service-now.com/api/now/table/cmdb_ci_computer?sysparm_limit=2&sysparm_offset=2"},
		{"Freshservice: space, quoted", []string{`<https://d.freshservice.com/api/v2/assets?page=2>; rel="next"`}, "https://d.freshservice.com/api/v2/assets?page=2"},
		{"unquoted, upper case", []string{`</p?page=3>; REL=next`}, "/p?page=3"},
		{"several relations", []string{`</p?page=3>; rel="next last"`}, "/p?page=3"},
		{"a comma inside the URI", []string{`</p?ids=1,2>; rel="prev", </p?ids=3,4>; rel="next"`}, "/p?ids=3,4"},
		{"second header", []string{`</p?page=1>; rel="prev"`, `</p?page=3>; rel="next"`}, "/p?page=3"},
		{"nextish relation is not next", []string{`</p?page=3>; rel="next-archive"`}, ""},
		{"no brackets", []string{`/p?page=3; rel="next"`}, ""},
	}
	for _, tc := range cases {
		h := http.Header{}
		for _, v := range tc.in {
			h.Add("Link", v)
		}
		require.Equal(t, tc.want, NextLink(h), tc.name)
	}
}

// Do returns the answer's headers (Link paging), sends a JSON body on a
// read, follows an absolute URL, and retries a 5xx of a POST only when
// the POST is marked Safe (a search changes nothing).
func TestDo(t *testing.T) {
	t.Parallel()
	t.Run("headers, absolute URL and query", func(t *testing.T) {
		t.Parallel()
		var got *http.Request
		srv, _ := script(t, func(w http.ResponseWriter, r *http.Request) {
			got = r
			w.Header().Set("Link", `<`+"http://"+r.Host+`/p?page=2>;rel="next"`)
			w.Header().Set("X-Total-Count", "7")
			body(`{"n": 1}`)(w, r)
		})
		c := New(Options{BaseURL: "http://base.invalid", Transport: loopback()})
		var p page
		h, err := c.Do(context.Background(), Call{Path: srv.URL + "/p", Query: url.Values{"page": {"1"}}}, &p)
		require.NoError(t, err)
		require.Equal(t, 1, p.N)
		require.Equal(t, http.MethodGet, got.Method)
		require.Equal(t, "/p?page=1", got.URL.RequestURI())
		require.Equal(t, srv.URL+"/p?page=2", NextLink(h))
		require.Equal(t, "7", h.Get("X-Total-Count"))
	})
	cases := []struct {
		name  string
		safe  bool
		calls int64
	}{
		{"a search POST is retried after a 500", true, 2},
		{"a creating POST is not (it may have created the record)", false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var bodies []string
			rec := func(f func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
				return func(w http.ResponseWriter, r *http.Request) {
					b, _ := io.ReadAll(r.Body)
					bodies = append(bodies, r.Method+" "+r.Header.Get("Content-Type")+" "+string(b))
					f(w, r)
				}
			}
			srv, calls := script(t, rec(status(500, "X-Request-Id", "r1")), rec(body(`{"n": 2}`)))
			clk := &clock{now: time.Now()}
			c := New(clk.options(Options{BaseURL: srv.URL, Transport: loopback()}))
			var p page
			h, err := c.Do(context.Background(), Call{Method: http.MethodPost, Path: "/aql", Body: map[string]string{"qlQuery": "x"}, Safe: tc.safe}, &p)
			require.Equal(t, tc.calls, calls.Load())
			for _, b := range bodies {
				require.Equal(t, `POST application/json {"qlQuery":"x"}`, b)
			}
			if tc.safe {
				require.NoError(t, err)
				require.Equal(t, 2, p.N)
				return
			}
			var se *connectors.StatusError
			require.ErrorAs(t, err, &se)
			require.Equal(t, 500, se.Status)
			require.Equal(t, "r1", h.Get("X-Request-Id"), "headers of a failed answer too")
		})
	}
}

// A form (OAuth token endpoints) is sent form-encoded, retried when the
// call is Safe, and its values never show in an error.
func TestDoForm(t *testing.T) {
	t.Parallel()
	var got []string
	rec := func(f func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got = append(got, r.Header.Get("Content-Type")+" "+string(b))
			f(w, r)
		}
	}
	srv, calls := script(t, rec(status(503)), rec(body(`{"n": 3}`)), rec(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"bad password"}`))
	}))
	clk := &clock{now: time.Now()}
	c := New(clk.options(Options{BaseURL: srv.URL, Transport: loopback()}))
	form := url.Values{"grant_type": {"password"}, "password": {"s3cr3t-pw"}}
	var p page
	_, err := c.Do(context.Background(), Call{Method: http.MethodPost, Path: "/oauth_token.do", Form: form, Safe: true}, &p)
	require.NoError(t, err)
	require.Equal(t, 3, p.N)
	require.Equal(t, int64(2), calls.Load())
	require.Equal(t, "application/x-www-form-urlencoded grant_type=password&password=s3cr3t-pw", got[0])

	_, err = c.Do(context.Background(), Call{Method: http.MethodPost, Path: "/oauth_token.do", Form: form, Safe: true}, &p)
	var se *connectors.StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "bad password", se.Message)
	require.NotContains(t, err.Error(), "s3cr3t-pw")

	_, err = c.Do(context.Background(), Call{Method: http.MethodPost, Path: "/x", Form: form, Body: map[string]int{}}, nil)
	require.Error(t, err, "a JSON body and a form at once")
	require.Equal(t, int64(3), calls.Load(), "nothing sent")
}
