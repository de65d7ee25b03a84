// Starts GraphiQL in #graphiql. A file rather than an inline script so the
// page's Content-Security-Policy can allow scripts from 'self' only; the
// server passes its settings as data attributes of #graphiql.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var data = root.dataset;
  // react-remove-scroll (inside GraphiQL's dialogs) adds a <style> element
  // and tags it with this global's value, which the page's CSP allows.
  window.__webpack_nonce__ = data.styleNonce;

  var baseFetcher = GraphiQL.createFetcher({ url: new URL(data.endpoint, location.href).href });
  var pageHeaders = data.headers ? JSON.parse(data.headers) : null;
  // GraphiQL 4 introspects before its headers editor exists and then sends
  // no headers at all: without the page's token the schema (completion,
  // docs, explorer) would never load. Queries use the editor's headers.
  function fetcher(params, opts) {
    if (pageHeaders && params.operationName === 'IntrospectionQuery' && !(opts && opts.headers)) {
      opts = Object.assign({}, opts, { headers: pageHeaders });
    }
    return baseFetcher(params, opts);
  }

  var props = {
    fetcher: fetcher,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    inputValueDeprecation: true,
    plugins: [GraphiQLPluginExplorer.explorerPlugin()],
  };
  if (data.headers) {
    props.headers = data.headers;
  }
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
