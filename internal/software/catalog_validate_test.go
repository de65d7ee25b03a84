package software

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func ptr[T any](v T) *T { return &v }

// requireInvalid asserts err is BAD_USER_INPUT on field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var e *itam.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, itam.CodeInvalid, e.Code, e.Message)
	require.Equal(t, field, e.Field, e.Message)
}

func TestPublisherValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		in       PublisherInput
		field    string // "" = valid
		wantName string
		wantSite *string
	}{
		{"trimmed", PublisherInput{Name: "  Adobe ", Website: ptr(" https://adobe.com ")}, "", "Adobe", ptr("https://adobe.com")},
		{"blank website cleared", PublisherInput{Name: "Slack", Website: ptr("  ")}, "", "Slack", nil},
		{"http with path", PublisherInput{Name: "X", Website: ptr("http://example.com/software?x=1")}, "", "X", ptr("http://example.com/software?x=1")},
		{"longest name", PublisherInput{Name: strings.Repeat("é", MaxNameLength)}, "", strings.Repeat("é", MaxNameLength), nil},
		{"blank name", PublisherInput{Name: " \t"}, "name", "", nil},
		{"name too long", PublisherInput{Name: strings.Repeat("a", MaxNameLength+1)}, "name", "", nil},
		{"no scheme", PublisherInput{Name: "X", Website: ptr("adobe.com")}, "website", "", nil},
		{"ftp", PublisherInput{Name: "X", Website: ptr("ftp://adobe.com")}, "website", "", nil},
		{"javascript", PublisherInput{Name: "X", Website: ptr("javascript:alert(1)")}, "website", "", nil},
		{"no host", PublisherInput{Name: "X", Website: ptr("https://")}, "website", "", nil},
		{"port only", PublisherInput{Name: "X", Website: ptr("https://:443")}, "website", "", nil},
		{"unparsable", PublisherInput{Name: "X", Website: ptr("https://exa mple.com/%zz")}, "website", "", nil},
		{"website too long", PublisherInput{Name: "X", Website: ptr("https://x.com/" + strings.Repeat("a", MaxWebsiteLength))}, "website", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			err := in.Validate()
			if tc.field != "" {
				requireInvalid(t, err, tc.field)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantName, in.Name)
			require.Equal(t, tc.wantSite, in.Website)
		})
	}
}

func TestProductValidate(t *testing.T) {
	t.Parallel()
	many := make([]string, MaxEditions+1)
	for i := range many {
		many[i] = "E" + strings.Repeat("x", i)
	}
	cases := []struct {
		name         string
		in           ProductInput
		field        string // "" = valid
		wantName     string
		wantEditions []string
		wantNotes    *string
	}{
		{"trimmed", ProductInput{Name: " Acrobat Pro ", Editions: []string{" Standard ", "Pro"}, Notes: ptr(" n ")}, "", "Acrobat Pro", []string{"Standard", "Pro"}, ptr("n")},
		{"duplicates dropped case-insensitively, first spelling kept", ProductInput{Name: "Office", Editions: []string{"Professional Plus", "professional plus ", "Standard", "STANDARD"}},
			"", "Office", []string{"Professional Plus", "Standard"}, nil},
		{"no editions", ProductInput{Name: "Slack"}, "", "Slack", []string{}, nil},
		{"blank notes cleared", ProductInput{Name: "Slack", Notes: ptr(" ")}, "", "Slack", []string{}, nil},
		{"fifty editions after de-duplication", ProductInput{Name: "X", Editions: append(many[:MaxEditions:MaxEditions], "e")}, "", "X", many[:MaxEditions], nil},
		{"blank name", ProductInput{Name: ""}, "name", "", nil, nil},
		{"name too long", ProductInput{Name: strings.Repeat("n", MaxNameLength+1)}, "name", "", nil, nil},
		{"blank edition", ProductInput{Name: "X", Editions: []string{"A", " "}}, "editions[1]", "", nil, nil},
		{"edition too long", ProductInput{Name: "X", Editions: []string{strings.Repeat("e", MaxEditionLength+1)}}, "editions[0]", "", nil, nil},
		{"too many editions", ProductInput{Name: "X", Editions: many}, "editions", "", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			err := in.Validate()
			if tc.field != "" {
				requireInvalid(t, err, tc.field)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantName, in.Name)
			require.Equal(t, tc.wantEditions, in.Editions)
			require.Equal(t, tc.wantNotes, in.Notes)
		})
	}
}

func TestCatalogRoles(t *testing.T) {
	t.Parallel()
	org := uuid.New()
	x := &Product{Name: "Acrobat", Notes: ptr("contract 42")}
	for _, role := range itam.Roles {
		p := itam.Principal{Subject: "a@x.test", OrgID: org, Role: role}
		ctx := itam.WithPrincipal(context.Background(), p)
		_, err := RequireCatalogRead(ctx)
		require.NoError(t, err, "%s reads the catalog", role)
		_, err = RequireCatalogWrite(ctx)
		writer := role == itam.RoleAdmin || role == itam.RoleManager
		if writer {
			require.NoError(t, err)
		} else {
			require.Equal(t, itam.CodeForbidden, itam.ErrorCode(err), "%s may not write", role)
		}
		v := x.VisibleTo(p)
		if role == itam.RoleEmployee {
			require.Nil(t, v.Notes, "notes are hidden from EMPLOYEE")
			require.Equal(t, "Acrobat", v.Name)
		} else {
			require.Equal(t, x.Notes, v.Notes)
		}
	}
	require.Equal(t, "contract 42", *x.Notes, "VisibleTo leaves the original alone")
	_, err := RequireCatalogRead(context.Background())
	require.Equal(t, itam.CodeUnauthenticated, itam.ErrorCode(err))
}
