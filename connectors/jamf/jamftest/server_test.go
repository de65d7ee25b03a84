package jamftest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// client talks to the fake the way the documentation says to.
type client struct {
	t     *testing.T
	s     *Server
	token string
}

func newClient(t *testing.T, opt Options) *client {
	s := New(t, opt)
	c := &client{t: t, s: s}
	resp, err := http.PostForm(s.URL+"/api/oauth/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {s.ClientID}, "client_secret": {s.ClientSecret}})
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		Scope       string `json:"scope"`
	}
	decode(t, resp, http.StatusOK, &tok)
	require.NotEmpty(t, tok.AccessToken)
	require.Equal(t, "Bearer", tok.TokenType)
	require.Equal(t, 1200, tok.ExpiresIn)
	c.token = tok.AccessToken
	return c
}

func decode(t *testing.T, resp *http.Response, status int, out any) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, status, resp.StatusCode, string(b))
	if out != nil {
		require.NoError(t, json.Unmarshal(b, out), string(b))
	}
}

func (c *client) get(path string, q url.Values, status int, out any) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.s.URL+path+"?"+q.Encode(), nil)
	require.NoError(c.t, err)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	decode(c.t, resp, status, out)
}

type rawPage struct {
	TotalCount int                          `json:"totalCount"`
	Results    []map[string]json.RawMessage `json:"results"`
}

func TestPagingAndTheSilentCap(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{Computers: 2500, Apps: -1})
	var p rawPage
	c.get("/api/v1/computers-inventory", url.Values{"page-size": {"5000"}}, http.StatusOK, &p)
	require.Equal(t, 2500, p.TotalCount)
	require.Len(t, p.Results, 2000, "clamped to 2000 without a word")
	c.get("/api/v1/computers-inventory", url.Values{"page-size": {"5000"}, "page": {"1"}}, http.StatusOK, &p)
	require.Len(t, p.Results, 500)
	var id string
	require.NoError(t, json.Unmarshal(p.Results[0]["id"], &id))
	require.Equal(t, "2001", id)
	c.get("/api/v1/computers-inventory", url.Values{}, http.StatusOK, &p)
	require.Len(t, p.Results, 100, "documented default page-size")
	c.get("/api/v1/computers-inventory", url.Values{"page": {"99"}}, http.StatusOK, &p)
	require.Empty(t, p.Results)
	require.Equal(t, 2500, p.TotalCount)
	c.get("/api/v1/computers-inventory", url.Values{"sort": {"id:desc"}, "page-size": {"1"}}, http.StatusOK, &p)
	require.NoError(t, json.Unmarshal(p.Results[0]["id"], &id))
	require.Equal(t, "2500", id)
}

func TestSectionsAndVersions(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{Computers: 3, Apps: 2})
	var p rawPage
	c.get("/api/v1/computers-inventory", url.Values{}, http.StatusOK, &p)
	r := p.Results[0]
	require.NotEqual(t, "null", string(r["general"]), "GENERAL is the default section")
	for _, k := range []string{"hardware", "operatingSystem", "userAndLocation", "purchasing", "applications", "security", "storage"} {
		require.Equal(t, "null", string(r[k]), k)
	}
	require.Contains(t, string(r["general"]), `"lastContactTime"`)
	require.NotContains(t, string(r["general"]), `"lastContact"`+":")

	c.get("/api/v4/computers-inventory", url.Values{"section": {"GENERAL", "HARDWARE", "APPLICATIONS"}}, http.StatusOK, &p)
	r = p.Results[0]
	require.Contains(t, string(r["general"]), `"lastContact"`)
	require.Contains(t, string(r["general"]), `"lastCheckIn"`)
	require.NotContains(t, string(r["general"]), `"lastContactTime"`)
	require.Contains(t, string(r["hardware"]), `"serialNumber"`)
	var apps []Application
	require.NoError(t, json.Unmarshal(r["applications"], &apps))
	require.Len(t, apps, 2)
	require.Equal(t, "null", string(r["purchasing"]))

	c.get("/api/v1/computers-inventory", url.Values{"section": {"NOPE"}}, http.StatusBadRequest, nil)
	c.get("/api/v5/computers-inventory", url.Values{}, http.StatusNotFound, nil)
}

func TestFilters(t *testing.T) {
	t.Parallel()
	epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newClient(t, Options{Computers: 40, Apps: -1, Epoch: epoch})
	c.s.Touch(3, epoch.Add(time.Hour))
	c.s.Touch(30, epoch.Add(2*time.Hour))
	var p rawPage
	for _, f := range []string{
		`general.reportDate>="2026-01-01T00:00:00.000Z"`,
		`general.reportDate=ge=2026-01-01T00:00:00Z`,
		`general.reportDate>'2026-01-01'`,
	} {
		c.get("/api/v1/computers-inventory", url.Values{"filter": {f}}, http.StatusOK, &p)
		require.Equal(t, 2, p.TotalCount, f)
	}
	c.get("/api/v1/computers-inventory", url.Values{"filter": {`id=="30"`}}, http.StatusOK, &p)
	require.Equal(t, 1, p.TotalCount)
	c.get("/api/v1/computers-inventory", url.Values{"filter": {`id>=10;id<20,id==35`}}, http.StatusOK, &p)
	require.Equal(t, 11, p.TotalCount)
	comp, _ := c.s.Computer(12)
	c.get("/api/v1/computers-inventory", url.Values{"filter": {`hardware.serialNumber=="` + strings.ToLower(comp.Hardware.SerialNumber) + `"`}}, http.StatusOK, &p)
	require.Equal(t, 1, p.TotalCount, "string comparisons ignore case, as in Jamf")

	for _, bad := range []string{
		`general.reportDate>="2026-01-01T00:00:00+00:00"`, // Jamf refuses numeric offsets
		`general.reportDate>=yesterday`,
		`general.colour=="red"`,
		`id=="x"`,
		`(id==1)`,
		`id`,
	} {
		c.get("/api/v1/computers-inventory", url.Values{"filter": {bad}}, http.StatusBadRequest, nil)
	}
	c.get("/api/v1/computers-inventory", url.Values{"sort": {"general.name:asc"}}, http.StatusBadRequest, nil)
}

func TestDetailEndpoints(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{Computers: 5, Apps: 3})
	c.s.Remove(2)
	var r map[string]json.RawMessage
	c.get("/api/v1/computers-inventory-detail/4", nil, http.StatusOK, &r)
	for _, k := range []string{"general", "hardware", "operatingSystem", "userAndLocation", "purchasing", "applications"} {
		require.NotEqual(t, "null", string(r[k]), k)
	}
	c.get("/api/v1/computers-inventory/4", url.Values{"section": {"HARDWARE"}}, http.StatusOK, &r)
	require.Equal(t, "null", string(r["general"]))
	require.NotEqual(t, "null", string(r["hardware"]))
	var apiErr struct {
		HTTPStatus int `json:"httpStatus"`
		Errors     []struct {
			Code string `json:"code"`
		} `json:"errors"`
	}
	c.get("/api/v1/computers-inventory-detail/2", nil, http.StatusNotFound, &apiErr)
	require.Equal(t, 404, apiErr.HTTPStatus)
	require.NotEmpty(t, apiErr.Errors)
	c.get("/api/v1/computers-inventory-detail/99", nil, http.StatusNotFound, nil)
}

func TestTokens(t *testing.T) {
	t.Parallel()
	s := New(t, Options{Computers: 1, TokenLifetime: 90 * time.Second})
	post := func(path string, form url.Values, user, pass string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		return resp
	}
	decode(t, post("/api/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {s.ClientID}, "client_secret": {s.ClientSecret}}, "", ""),
		http.StatusBadRequest, nil)
	var oerr struct{ Error string }
	decode(t, post("/api/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID}, "client_secret": {"nope"}}, "", ""),
		http.StatusUnauthorized, &oerr)
	require.Equal(t, "invalid_client", oerr.Error)

	var bt struct{ Token, Expires string }
	decode(t, post("/api/v1/auth/token", nil, s.Username, s.Password), http.StatusOK, &bt)
	exp, err := time.Parse(time.RFC3339, bt.Expires)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(90*time.Second), exp, 2*time.Second)
	decode(t, post("/api/v1/auth/token", nil, s.Username, "nope"), http.StatusUnauthorized, nil)

	c := &client{t: t, s: s, token: bt.Token}
	c.get("/api/v4/computers-inventory", nil, http.StatusOK, nil)
	s.ExpireTokens()
	c.get("/api/v4/computers-inventory", nil, http.StatusUnauthorized, nil)
	decode(t, post("/api/v1/auth/token", nil, s.Username, s.Password), http.StatusOK, &bt)
	c.token = bt.Token
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/auth/invalidate-token", nil)
	req.Header.Set("Authorization", "Bearer "+bt.Token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	decode(t, resp, http.StatusNoContent, nil)
	c.get("/api/v4/computers-inventory", nil, http.StatusUnauthorized, nil)

	s.RevokeCredentials()
	decode(t, post("/api/v1/auth/token", nil, s.Username, s.Password), http.StatusUnauthorized, nil)
	s.RestoreCredentials()
	decode(t, post("/api/v1/auth/token", nil, s.Username, s.Password), http.StatusOK, nil)
	st := s.Stats()
	require.Equal(t, 2, st.OAuthTokenRequests)
	require.Equal(t, 5, st.BasicTokenRequests)
	require.Equal(t, 3, st.TokensIssued)
	require.Equal(t, 2, st.Unauthorized)
}

func TestFaults(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{Computers: 10, Apps: -1})
	c.s.RateLimitNext(2, "0.5")
	for range 2 {
		req, _ := http.NewRequest(http.MethodGet, c.s.URL+"/api/v1/computers-inventory", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.Equal(t, "0.5", resp.Header.Get("Retry-After"))
		decode(t, resp, http.StatusTooManyRequests, nil)
	}
	c.s.UnavailableNext(1, "")
	c.get("/api/v1/computers-inventory", nil, http.StatusServiceUnavailable, nil)
	c.get("/api/v1/computers-inventory", nil, http.StatusOK, nil)

	c.s.MalformPage(0, Truncated)
	req, _ := http.NewRequest(http.MethodGet, c.s.URL+"/api/v1/computers-inventory?page=0", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the body ends before its Content-Length")
	c.s.ClearFaults()
	c.get("/api/v1/computers-inventory", url.Values{"page": {"0"}}, http.StatusOK, nil)
	st := c.s.Stats()
	require.Equal(t, 2, st.RateLimited)
	require.Equal(t, 1, st.Unavailable)
	require.Equal(t, 1, st.Malformed)
}

func TestDeterministicData(t *testing.T) {
	t.Parallel()
	a, b := New(t, Options{Computers: 50, Seed: 3}), New(t, Options{Computers: 50, Seed: 3})
	other := New(t, Options{Computers: 50, Seed: 4})
	x, _ := a.Computer(17)
	y, _ := b.Computer(17)
	z, _ := other.Computer(17)
	require.Equal(t, x, y)
	require.NotEqual(t, x.Hardware.SerialNumber, z.Hardware.SerialNumber)
	_, ok := a.Computer(51)
	require.False(t, ok)
	require.Equal(t, 50, a.Len())
}
