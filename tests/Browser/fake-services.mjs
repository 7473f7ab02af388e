// A stand-in for Incident.Service and Notify.Service on the broker, for the console's browser tests: it answers the
// commands the console sends (CreateIncident, PostIncidentUpdate, ScheduleMaintenance) and ExportSubscribers the way
// those services do, and writes the read-model rows their projections would (with psql, like the other tests here).
// It speaks MassTransit's JSON envelope through RabbitMQ's management HTTP API (no AMQP client on the package mirror):
// a queue of its own bound to each command's exchange, polled, and each answer published to the request's
// responseAddress exchange. Every command it saw is kept in `received`, for the tests to check.
// With answerExport false it leaves ExportSubscribers alone: a real Notify.Service on the vhost answers it, and two
// answers to one request would race.
import { randomUUID } from 'node:crypto';

export async function startFakeServices({ managementUrl, user, password, vhost, sql, answerExport = true }) {
  const commands = ['CreateIncident', 'PostIncidentUpdate', 'ScheduleMaintenance', ...(answerExport ? ['ExportSubscribers'] : [])];
  const auth = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  const v = encodeURIComponent(vhost);
  const queue = `browser-fake-${randomUUID()}`;
  const api = async (method, path, body) => {
    const response = await fetch(new URL('api/' + path, managementUrl), {
      method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`RabbitMQ management ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? null : response.json().catch(() => null);
  };

  await api('PUT', `queues/${v}/${queue}`, { durable: false, auto_delete: false, arguments: { 'x-expires': 600000 } });
  for (const name of commands) {
    // The exchange MassTransit publishes the request to, declared as it declares it (durable fanout), so the first request finds the queue.
    const exchange = encodeURIComponent(`StatusPlatform.Contracts:${name}`);
    await api('PUT', `exchanges/${v}/${exchange}`, { type: 'fanout', durable: true, auto_delete: false, internal: false, arguments: {} });
    await api('POST', `bindings/${v}/e/${exchange}/q/${queue}`, { routing_key: '', arguments: {} });
  }

  const received = [];
  let ids = 0;
  const text = value => String(value ?? '').replaceAll("'", "''");
  const handlers = {
    CreateIncident(m) {
      const id = `incbrowser${++ids}`;
      const changes = m.components ?? [];
      sql(`insert into status.incidents (id, name, status, impact, created_at, updated_at, started_at, version)
             values ('${id}', '${text(m.name)}', '${text(m.status)}', '${changes.some(c => c.status === 'major_outage') ? 'critical' : 'minor'}', now(), now(), now(), 1);
           insert into status.incident_updates (id, incident_id, status, body, created_at, updated_at, display_at, deliver_notifications)
             values ('${id}-1', '${id}', '${text(m.status)}', '${text(m.body)}', now(), now(), now(), ${m.deliverNotifications !== false});
           ${changes.map(c => `insert into status.incident_components (incident_id, component_id) values ('${id}', '${text(c.componentId)}');
             update status.components set status = '${text(c.status)}', updated_at = now() where id = '${text(c.componentId)}';`).join('\n')}`);
      return { type: 'CommandAccepted', message: { id, version: 1 } };
    },
    PostIncidentUpdate(m) {
      const resolved = m.status === 'resolved';
      sql(`insert into status.incident_updates (id, incident_id, status, body, created_at, updated_at, display_at)
             values ('${text(m.incidentId)}-${randomUUID().slice(0, 8)}', '${text(m.incidentId)}', '${text(m.status)}', '${text(m.body)}', now(), now(), now());
           update status.incidents set status = '${text(m.status)}', updated_at = now(), version = version + 1
             ${resolved ? ', resolved_at = now()' : ''} where id = '${text(m.incidentId)}';`);
      return { type: 'CommandAccepted', message: { id: m.incidentId, version: (m.expectedVersion ?? 1) + 1 } };
    },
    ScheduleMaintenance(m) {
      const id = `mntbrowser${++ids}`;
      sql(`insert into status.maintenances (id, name, status, scheduled_for, scheduled_until, created_at, updated_at, auto_transition, version)
             values ('${id}', '${text(m.name)}', 'scheduled', '${text(m.scheduledFor)}', '${text(m.scheduledUntil)}', now(), now(), ${m.autoTransition !== false}, 1);
           insert into status.maintenance_updates (id, maintenance_id, status, body, created_at, display_at)
             values ('${id}-1', '${id}', 'scheduled', '${text(m.body)}', now(), now());
           ${(m.componentIds ?? []).map(c => `insert into status.maintenance_components (maintenance_id, component_id) values ('${id}', '${text(c)}');`).join('\n')}`);
      return { type: 'CommandAccepted', message: { id, version: 1 } };
    },
    ExportSubscribers() {
      return {
        type: 'SubscribersCsv',
        message: { csv: 'channel,address,scope,components,incident,locale,confirmed,quarantined_at\r\nemail,ops@example.test,page,,,en,true,\r\nslack,https://hooks.slack.test/x,components,api,,en,true,\r\n', count: 2 },
      };
    },
  };

  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        await poll();
      } catch (error) {
        console.error(`          fake services: ${error?.message ?? error}`);
        await new Promise(resolve => setTimeout(resolve, 500));
      }
    }
  })();

  async function poll() {
    {
      const messages = await api('POST', `queues/${v}/${queue}/get`, { count: 10, ackmode: 'ack_requeue_false', encoding: 'auto', truncate: 1_000_000 });
      for (const delivered of messages ?? []) {
        const envelope = JSON.parse(delivered.payload_encoding === 'base64' ? Buffer.from(delivered.payload, 'base64').toString('utf8') : delivered.payload);
        const name = (envelope.messageType ?? []).map(t => t.split(':').pop()).find(t => handlers[t]);
        if (!name) continue;
        received.push({ type: name, message: envelope.message });
        const answer = handlers[name](envelope.message);
        const responseExchange = decodeURIComponent(new URL(envelope.responseAddress).pathname.split('/').pop());
        await api('POST', `exchanges/${v}/${encodeURIComponent(responseExchange)}/publish`, {
          routing_key: '',
          properties: { content_type: 'application/vnd.masstransit+json', delivery_mode: 1, message_id: randomUUID(), headers: {} },
          payload_encoding: 'string',
          payload: JSON.stringify({
            messageId: randomUUID(), requestId: envelope.requestId, conversationId: envelope.conversationId, correlationId: envelope.correlationId,
            sourceAddress: `rabbitmq://localhost/${vhost}/${queue}`, destinationAddress: envelope.responseAddress,
            messageType: [`urn:message:StatusPlatform.Contracts:${answer.type}`], message: answer.message, sentTime: new Date().toISOString(), headers: {},
          }),
        });
      }
      if (!messages?.length) await new Promise(resolve => setTimeout(resolve, 100));
    }
  }

  return {
    received,
    async stop() {
      stopped = true;
      await loop.catch(() => {});
      await api('DELETE', `queues/${v}/${queue}`).catch(() => {});
    },
  };
}
