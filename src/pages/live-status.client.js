// The live status page's script, inlined into src/pages/live-status.html by live-status.ts. Plain browser
// JavaScript, no build step: a small graphql-transport-ws client (the protocol graphql-ws speaks), one
// WebSocket for the channel list and the live status subscription, and no polling.
(() => {
  const config = JSON.parse(document.getElementById("live-config")?.textContent || "{}");
  const STORAGE_KEY = "ivs-gateway:live-page-token";
  const PROTOCOL = "graphql-transport-ws";
  /** graphql-ws closes with this when the token is missing, invalid or expired (transport-ws.ts). */
  const CLOSE_UNAUTHENTICATED = 4401;
  const CLOSE_FORBIDDEN = 4403;
  const MAX_BACKOFF_MS = 15_000;

  const CHANNELS_QUERY = `query LiveStatusChannels {
    channels(first: 100) {
      edges { node { arn name latencyMode type isLive stream { health viewerCount startTime } } }
      pageInfo { hasNextPage }
    }
  }`;
  const LIVE_SUBSCRIPTION = `subscription LiveStatus($arns: [String!]!) {
    channelLiveStatus(arns: $arns) { channelArn status health viewerCount startTime deleted }
  }`;

  const el = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const ui = {
    connection: el("connection"),
    connectionText: el("connection-text"),
    banner: el("banner"),
    summary: el("summary"),
    card: el("card"),
    tokenForm: /** @type {HTMLFormElement} */ (el("token-form")),
    tokenInput: /** @type {HTMLInputElement} */ (el("token-input")),
    tokenHint: el("token-hint"),
    loading: el("loading"),
    empty: el("empty"),
    table: el("table"),
    rows: el("rows"),
    forget: el("forget-token"),
    footnote: el("footnote"),
  };

  /** Rows by channel ARN. */
  const rows = new Map();
  let socket = null;
  let attempt = 0;
  let retryTimer = 0;
  let nextId = 1;
  let channelsOp = "";
  let liveOp = "";
  let truncated = false;
  /** The token typed in, for browsers that keep no session storage. */
  let memoryToken = "";

  const savedToken = () => {
    try {
      return sessionStorage.getItem(STORAGE_KEY) || "";
    } catch {
      return "";
    }
  };
  const token = () => config.token || savedToken() || memoryToken;

  // ---- presentation -------------------------------------------------------------------------------------

  function setConnection(state, text) {
    ui.connection.dataset.state = state;
    ui.connectionText.textContent = text;
    ui.card.classList.toggle("stale", state !== "open" && rows.size > 0);
  }

  function showBanner(text, kind = "error") {
    ui.banner.textContent = text;
    ui.banner.className = `banner ${kind}`;
    ui.banner.hidden = !text;
  }

  function showOnly(which) {
    ui.tokenForm.hidden = which !== "token";
    ui.loading.hidden = which !== "loading";
    ui.empty.hidden = which !== "empty";
    ui.table.hidden = which !== "table";
    ui.summary.hidden = which !== "table";
    ui.footnote.hidden = which !== "table";
  }

  function cell(tr, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    tr.appendChild(td);
    return td;
  }

  function addRow(channel) {
    const tr = document.createElement("tr");
    tr.dataset.arn = channel.arn;
    const nameCell = cell(tr);
    const name = document.createElement("div");
    name.className = "name";
    name.textContent = channel.name || "(unnamed)";
    const arn = document.createElement("span");
    arn.className = "arn";
    arn.textContent = channel.arn;
    arn.title = channel.arn;
    nameCell.append(name, arn);
    const kind = cell(tr, "kind hide-narrow");
    kind.textContent = `${channel.latencyMode ?? "?"} · ${channel.type ?? "?"}`;
    const badge = document.createElement("span");
    badge.className = "badge";
    cell(tr).appendChild(badge);
    const row = {
      tr,
      badge,
      health: cell(tr, "health"),
      viewers: cell(tr, "num"),
      uptime: cell(tr, "num uptime"),
      status: "OFFLINE",
      startTime: null,
    };
    rows.set(channel.arn, row);
    ui.rows.appendChild(tr);
    return row;
  }

  /** Applies a status: the channel list's (isLive, stream) or the subscription's (status, health, ...). */
  function applyStatus(row, live, health, viewerCount, startTime) {
    const status = live ? (health === "STARVING" ? "STARVING" : "LIVE") : "OFFLINE";
    row.status = status;
    row.startTime = live && startTime ? Date.parse(startTime) : null;
    row.tr.dataset.status = status;
    row.badge.dataset.status = status;
    row.badge.textContent = status;
    row.health.dataset.health = live ? health || "UNKNOWN" : "";
    row.health.textContent = live ? titleCase(health || "unknown") : "—";
    row.health.classList.toggle("dim", !live);
    if (!live || viewerCount === null || viewerCount === undefined) {
      row.viewers.textContent = "—";
      row.viewers.title = live ? "Counted by ListStreams a few seconds after the start" : "";
    } else if (viewerCount < 0) {
      row.viewers.textContent = "?";
      row.viewers.title = "IVS timed out counting viewers";
    } else {
      row.viewers.textContent = viewerCount.toLocaleString();
      row.viewers.title = "";
    }
    row.viewers.classList.toggle("dim", !live);
    tickRow(row, Date.now());
  }

  /** A short highlight of a row whose status just changed. */
  function flash(tr) {
    tr.classList.remove("changed");
    void tr.offsetWidth; // restarts the animation
    tr.classList.add("changed");
  }

  function tickRow(row, now) {
    row.uptime.textContent = row.startTime === null ? "—" : formatUptime(now - row.startTime);
    row.uptime.classList.toggle("dim", row.startTime === null);
  }

  function formatUptime(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const two = (n) => String(n).padStart(2, "0");
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
  }

  const titleCase = (s) => s.charAt(0) + s.slice(1).toLowerCase();

  function updateSummary() {
    let live = 0;
    let starving = 0;
    for (const row of rows.values()) {
      if (row.status !== "OFFLINE") live++;
      if (row.status === "STARVING") starving++;
    }
    el("count-channels").textContent = String(rows.size);
    el("count-live").textContent = String(live);
    el("count-starving").textContent = String(starving);
    ui.footnote.textContent = truncated
      ? "Showing the first 100 channels. Status and health change with IVS events; viewer counts from ListStreams."
      : "Status and health change with IVS events; viewer counts from ListStreams, seconds after a start and at each reconciliation.";
  }

  function renderChannels(connection) {
    rows.clear();
    ui.rows.replaceChildren();
    const nodes = (connection?.edges ?? [])
      .map((e) => e.node)
      .sort((a, b) => String(a.name).localeCompare(String(b.name)) || a.arn.localeCompare(b.arn));
    truncated = Boolean(connection?.pageInfo?.hasNextPage);
    for (const node of nodes) {
      const row = addRow(node);
      applyStatus(row, node.isLive, node.stream?.health, node.stream?.viewerCount, node.stream?.startTime);
    }
    showOnly(nodes.length > 0 ? "table" : "empty");
    updateSummary();
    return nodes.map((n) => n.arn);
  }

  function onLiveUpdate(update) {
    const row = rows.get(update.channelArn);
    if (!row) return;
    if (update.deleted) {
      row.tr.remove();
      rows.delete(update.channelArn);
      if (rows.size === 0) showOnly("empty");
    } else {
      const before = row.status;
      applyStatus(row, update.status === "LIVE", update.health, update.viewerCount, update.startTime);
      if (row.status !== before) flash(row.tr);
    }
    updateSummary();
  }

  setInterval(() => {
    const now = Date.now();
    for (const row of rows.values()) if (row.startTime !== null) tickRow(row, now);
  }, 1000);

  // ---- graphql-transport-ws -----------------------------------------------------------------------------

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function subscribe(query, variables) {
    const id = String(nextId++);
    send({ id, type: "subscribe", payload: { query, variables } });
    return id;
  }

  function errorText(errors) {
    return (Array.isArray(errors) ? errors : [errors])
      .map((e) => (e && typeof e.message === "string" ? e.message : String(e)))
      .join("; ");
  }

  function loadChannels() {
    if (liveOp) send({ id: liveOp, type: "complete" });
    liveOp = "";
    channelsOp = subscribe(CHANNELS_QUERY, {});
  }

  function onMessage(message) {
    switch (message.type) {
      case "connection_ack":
        attempt = 0;
        setConnection("open", "Connected");
        showBanner("");
        loadChannels();
        return;
      case "ping":
        send({ type: "pong" });
        return;
      case "next": {
        const { data, errors } = message.payload ?? {};
        if (message.id === channelsOp) {
          if (!data?.channels) {
            showBanner(`Could not list the channels: ${errorText(errors ?? "no data")}`);
            if (rows.size === 0) showOnly("empty");
            return;
          }
          const arns = renderChannels(data.channels);
          if (arns.length > 0) liveOp = subscribe(LIVE_SUBSCRIPTION, { arns });
        } else if (message.id === liveOp) {
          if (data?.channelLiveStatus) onLiveUpdate(data.channelLiveStatus);
          else if (errors) showBanner(`Live status: ${errorText(errors)}`);
        }
        return;
      }
      case "error":
        if (message.id === liveOp || message.id === channelsOp) {
          // E.g. a channel deleted between the list and the subscription: list again, shortly.
          showBanner(`Live status failed: ${errorText(message.payload)}. Retrying…`);
          liveOp = "";
          window.setTimeout(() => socket?.readyState === WebSocket.OPEN && loadChannels(), backoff());
        }
        return;
      case "complete":
        // The subscription ends when every channel it watched is deleted: list what is left.
        if (message.id === liveOp) {
          liveOp = "";
          loadChannels();
        }
        return;
    }
  }

  function backoff() {
    const ms = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt);
    attempt++;
    return Math.round(ms * (0.5 + Math.random() * 0.5));
  }

  function connect() {
    window.clearTimeout(retryTimer);
    const bearer = token();
    if (!bearer) {
      askForToken("");
      return;
    }
    ui.forget.hidden = Boolean(config.token);
    if (rows.size === 0) showOnly("loading");
    setConnection("connecting", "Connecting…");
    const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${config.endpoint || "/graphql"}`;
    const ws = new WebSocket(url, PROTOCOL);
    socket = ws;
    channelsOp = "";
    liveOp = "";
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${bearer}` } }));
    });
    ws.addEventListener("message", (event) => {
      if (socket !== ws) return;
      try {
        onMessage(JSON.parse(String(event.data)));
      } catch (error) {
        showBanner(`Unreadable message from the gateway: ${error}`);
      }
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
      if (event.code === CLOSE_UNAUTHENTICATED || event.code === CLOSE_FORBIDDEN) {
        setConnection("failed", "Not connected");
        const reason = event.reason || "the token was refused";
        if (config.token) {
          // The gateway minted a new development token when it restarted.
          showBanner(
            `The gateway refused the development token (${reason}). Reload the page to get the current one.`,
          );
        } else {
          forgetToken();
          askForToken(`The gateway refused the token: ${reason}.`);
        }
        return;
      }
      const wait = backoff();
      const why =
        event.code === 1006
          ? "connection lost"
          : `closed (${event.code}${event.reason ? `: ${event.reason}` : ""})`;
      setConnection("retrying", `Reconnecting in ${Math.ceil(wait / 1000)} s`);
      showBanner(`Disconnected from the gateway: ${why}. Showing the last known status.`, "info");
      retryTimer = window.setTimeout(connect, wait);
    });
  }

  // ---- credentials --------------------------------------------------------------------------------------

  function askForToken(message) {
    setConnection("failed", "Not connected");
    showOnly("token");
    showBanner(message);
    ui.tokenInput.value = "";
    ui.tokenInput.focus();
  }

  function forgetToken() {
    memoryToken = "";
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // Storage disabled: nothing was kept.
    }
  }

  ui.tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = ui.tokenInput.value.trim().replace(/^Bearer\s+/i, "");
    if (!value) return;
    try {
      sessionStorage.setItem(STORAGE_KEY, value);
    } catch {
      showBanner(
        "This browser keeps no session storage: the token will be asked for again on reload.",
        "info",
      );
    }
    memoryToken = value;
    connect();
  });

  ui.forget.addEventListener("click", () => {
    forgetToken();
    socket?.close(1000, "token forgotten");
    socket = null;
    rows.clear();
    ui.rows.replaceChildren();
    askForToken("");
  });

  connect();
})();
