package benchkit

// AssetPageSelection is what the bench reads of a page of assets: each
// asset with its model, manufacturer, category, assignee, owner and
// location, and the page's cursor. Workload 1, the sorted and deep pages,
// and the compiled execution's tests ask for the same.
const AssetPageSelection = `{
    edges {
      cursor
      node {
        id assetTag serialNumber name status condition purchaseDate warrantyEnd
        model { id name modelNumber manufacturer { id name } category { id name kind } }
        manufacturer { id name }
        category { id name }
        assignee { ... on Person { id name email } ... on Location { id name } }
        owner { ... on Person { id name } ... on Team { id name } }
        location { id name kind }
      }
    }
    pageInfo { hasNextPage endCursor }
  }`

// ListAssetsDoc is workload 1 of cmd/itam-bench: 100 assets in tag order.
const ListAssetsDoc = `query ListAssets($after: String) {
  assets(first: 100, after: $after) ` + AssetPageSelection + `
}`
