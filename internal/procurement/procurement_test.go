package procurement

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var e *itam.Error
	require.True(t, errors.As(err, &e), "want *itam.Error, got %v", err)
	require.Equal(t, itam.CodeInvalid, e.Code, "%v", err)
	require.Equal(t, field, e.Field, "%v", err)
}

func money(amount, currency string) itam.Money {
	return itam.Money{Amount: decimal.RequireFromString(amount), Currency: currency}
}

func validInput() Input {
	return Input{SupplierID: uuid.New(), OrderNumber: " PO-1 ", OrderDate: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC),
		Currency: "eur", Lines: []LineInput{{ModelID: uuid.New(), Quantity: 2, UnitPrice: money("10.5", "EUR")}}}
}

func TestNewOrder(t *testing.T) {
	o, err := NewOrder(validInput())
	require.NoError(t, err)
	require.Equal(t, "PO-1", o.OrderNumber)
	require.Equal(t, "EUR", o.Currency)
	require.Equal(t, StatusDraft, o.Status)
	require.Equal(t, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), o.OrderDate)
	require.Equal(t, "EUR", o.Lines[0].Currency)
	require.True(t, decimal.RequireFromString("21").Equal(o.Total().Amount))

	bulk := make([]LineInput, MaxUnits/MaxQuantity+1)
	for i := range bulk {
		bulk[i] = LineInput{ModelID: uuid.New(), Quantity: MaxQuantity, UnitPrice: money("1", "EUR")}
	}
	many := make([]LineInput, MaxLines+1)
	for i := range many {
		many[i] = validInput().Lines[0]
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Input)
		field string
	}{
		{"blank number", func(in *Input) { in.OrderNumber = "  " }, "orderNumber"},
		{"long number", func(in *Input) { in.OrderNumber = strings.Repeat("x", MaxNumberLen+1) }, "orderNumber"},
		{"no supplier", func(in *Input) { in.SupplierID = uuid.Nil }, "supplierId"},
		{"no date", func(in *Input) { in.OrderDate = time.Time{} }, "orderDate"},
		{"delivery before order", func(in *Input) { d := in.OrderDate.AddDate(0, 0, -1); in.ExpectedDelivery = &d }, "expectedDelivery"},
		{"bad currency", func(in *Input) { in.Currency = "XX" }, "currency"},
		{"no lines", func(in *Input) { in.Lines = nil }, "lines"},
		{"too many lines", func(in *Input) { in.Lines = many }, "lines"},
		{"too many units", func(in *Input) { in.Lines = bulk }, "lines"},
		{"no model", func(in *Input) { in.Lines[0].ModelID = uuid.Nil }, "lines[0].modelId"},
		{"zero quantity", func(in *Input) { in.Lines[0].Quantity = 0 }, "lines[0].quantity"},
		{"quantity over max", func(in *Input) { in.Lines[0].Quantity = MaxQuantity + 1 }, "lines[0].quantity"},
		{"negative price", func(in *Input) { in.Lines[0].UnitPrice = money("-1", "EUR") }, "lines[0].unitPrice.amount"},
		{"five decimals", func(in *Input) { in.Lines[0].UnitPrice = money("1.00001", "EUR") }, "lines[0].unitPrice.amount"},
		{"other currency", func(in *Input) { in.Lines[0].UnitPrice = money("1", "USD") }, "lines[0].unitPrice.currency"},
		{"unknown line currency", func(in *Input) { in.Lines[0].UnitPrice = money("1", "ZZZ") }, "lines[0].unitPrice.currency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := validInput()
			tc.edit(&in)
			_, err := NewOrder(in)
			requireInvalid(t, err, tc.field)
		})
	}
}

func TestPatchApply(t *testing.T) {
	cur, err := NewOrder(validInput())
	require.NoError(t, err)
	num := "PO-2"
	next, err := Patch{OrderNumber: &num, Notes: itam.Some("rush")}.Apply(cur)
	require.NoError(t, err)
	require.Equal(t, "PO-2", next.OrderNumber)
	require.Equal(t, "rush", *next.Notes)
	require.Len(t, Changes(&cur, &next), 2)

	usd := "USD"
	_, err = Patch{Currency: &usd}.Apply(cur)
	requireInvalid(t, err, "lines")
	lines := []LineInput{{ModelID: uuid.New(), Quantity: 1, UnitPrice: money("3", "USD")}}
	next, err = Patch{Currency: &usd, Lines: &lines}.Apply(cur)
	require.NoError(t, err)
	require.Equal(t, "USD", next.Currency)
	require.Len(t, next.Lines, 1)

	for _, st := range []Status{StatusApproved, StatusPartiallyReceived, StatusReceived, StatusCancelled} {
		c := cur
		c.Status = st
		_, err := Patch{OrderNumber: &num}.Apply(c)
		requireInvalid(t, err, "id")
	}
}

func TestStatusRules(t *testing.T) {
	line := func(q, r int) Line { return Line{Quantity: q, Received: r} }
	for _, tc := range []struct {
		status        Status
		lines         []Line
		approve, canc bool
		after         Status
	}{
		{StatusDraft, []Line{line(2, 0)}, true, true, StatusApproved},
		{StatusApproved, []Line{line(2, 0)}, false, true, StatusApproved},
		{StatusPartiallyReceived, []Line{line(2, 1), line(1, 0)}, false, false, StatusPartiallyReceived},
		{StatusPartiallyReceived, []Line{line(2, 2), line(1, 1)}, false, false, StatusReceived},
		{StatusReceived, []Line{line(2, 2)}, false, false, StatusReceived},
		{StatusCancelled, []Line{line(2, 0)}, false, false, StatusApproved},
	} {
		t.Run(string(tc.status), func(t *testing.T) {
			o := Order{Status: tc.status, Lines: tc.lines}
			if tc.approve {
				require.NoError(t, Approve(o))
			} else {
				requireInvalid(t, Approve(o), "id")
			}
			if tc.canc {
				require.NoError(t, Cancel(o))
			} else {
				requireInvalid(t, Cancel(o), "id")
			}
			require.Equal(t, tc.after, AfterReceipt(o))
		})
	}
	// An APPROVED order with something received is not cancellable.
	requireInvalid(t, Cancel(Order{Status: StatusApproved, Lines: []Line{line(2, 1)}}), "id")
}

func TestReceive(t *testing.T) {
	o := Order{Status: StatusPartiallyReceived, OrderNumber: "PO-1"}
	l := Line{Quantity: 3, Received: 1}
	tag := func(s string) *string { return &s }
	got, err := Receive(o, l, []ReceiptItem{{SerialNumber: " a1 "}, {SerialNumber: "A2", AssetTag: tag(" T-9 ")}})
	require.NoError(t, err)
	require.Equal(t, "a1", got[0].SerialNumber)
	require.Equal(t, "T-9", *got[1].AssetTag)

	for _, tc := range []struct {
		name   string
		status Status
		items  []ReceiptItem
		field  string
	}{
		{"draft", StatusDraft, []ReceiptItem{{SerialNumber: "a"}}, "lineId"},
		{"received", StatusReceived, []ReceiptItem{{SerialNumber: "a"}}, "lineId"},
		{"cancelled", StatusCancelled, []ReceiptItem{{SerialNumber: "a"}}, "lineId"},
		{"none", StatusApproved, nil, "items"},
		{"over-receiving", StatusApproved, []ReceiptItem{{SerialNumber: "a"}, {SerialNumber: "b"}, {SerialNumber: "c"}}, "items[2]"},
		{"blank serial", StatusApproved, []ReceiptItem{{SerialNumber: " "}}, "items[0].serialNumber"},
		{"serial twice, any case", StatusApproved, []ReceiptItem{{SerialNumber: "ab"}, {SerialNumber: "AB"}}, "items[1].serialNumber"},
		{"blank tag", StatusApproved, []ReceiptItem{{SerialNumber: "a", AssetTag: tag("")}}, "items[0].assetTag"},
		{"tag twice, any case", StatusApproved, []ReceiptItem{{SerialNumber: "a", AssetTag: tag("T")}, {SerialNumber: "b", AssetTag: tag("t")}}, "items[1].assetTag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o.Status = tc.status
			_, err := Receive(o, l, tc.items)
			requireInvalid(t, err, tc.field)
		})
	}
}

func TestFilterValidate(t *testing.T) {
	require.NoError(t, Filter{Statuses: Statuses}.Validate())
	requireInvalid(t, Filter{Statuses: []Status{"LOST"}}.Validate(), "filter.status[0]")
	a, b := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	requireInvalid(t, Filter{OrderedAfter: &a, OrderedBefore: &b}.Validate(), "filter.orderedBefore")
}

func TestChangesRecordDatesAsDays(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 12, 24, 15, 30, 0, 0, time.UTC)
	before := Order{OrderDate: day}
	after := before
	after.ExpectedDelivery = &day
	c := Changes(&before, &after)
	require.JSONEq(t, `null`, string(c["expectedDelivery"]["from"]))
	require.JSONEq(t, `"2026-12-24"`, string(c["expectedDelivery"]["to"]))
	require.NotContains(t, c, "orderDate", "an unchanged date is no change")
	require.JSONEq(t, `{"from": "2026-12-24", "to": null}`, string(mustJSON(t, Changes(&after, &before)["expectedDelivery"])))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
