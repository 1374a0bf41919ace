/**
 * The receiver of Grafana's alert notifications: the provisioned contact point `vigil-webhook`
 * (provisioning/alerting/vigil.yaml) posts Grafana's webhook JSON here.
 *
 * - `POST /api/alerts/webhook` (write key when keys are configured; Grafana sends it as
 *   `Authorization: Bearer`): the body must be a JSON object with an `alerts` array of objects (400
 *   otherwise). Each notification is logged as one structured line and kept in memory;
 * - `GET /api/alerts/webhook` (read key): the kept notifications, newest first.
 *
 * Memory is bounded: the last MAX_NOTIFICATIONS, and fewer when their bodies add up to more than
 * MAX_KEPT_BYTES. Nothing is stored on disk: a restart forgets them (the log keeps the record).
 */
import { Request, Response, Router } from 'express';
import { badRequest } from '../service/errors';
import { Logger } from '../service/log';
import { AuthConfig, requireAccess } from './auth';
import { jsonBody } from './http';

/** How many notifications are kept (newest win). */
export const MAX_NOTIFICATIONS = 200;
/** Upper bound of the kept bodies' JSON size, so 200 huge notifications cannot exhaust memory. */
export const MAX_KEPT_BYTES = 16 * 1024 * 1024;
/** Alerts whose labels go into a notification's log line (the line stays one readable line). */
const LOGGED_ALERT_LABELS = 20;

export interface ReceivedNotification {
  /** ISO 8601, when Vigil received it. */
  received_at: string;
  /** Grafana's payload as sent (receiver, status, alerts, groupLabels, commonLabels, ...). */
  notification: Record<string, unknown>;
}

/** The kept notifications, oldest first, with their serialized sizes. */
export class NotificationLog {
  private readonly items: { entry: ReceivedNotification; bytes: number }[] = [];
  private bytes = 0;

  constructor(
    private readonly maxItems = MAX_NOTIFICATIONS,
    private readonly maxBytes = MAX_KEPT_BYTES,
  ) {}

  add(entry: ReceivedNotification): void {
    const bytes = Buffer.byteLength(JSON.stringify(entry.notification));
    this.items.push({ entry, bytes });
    this.bytes += bytes;
    // Always keep the newest, even when it alone is over the byte bound (the body limit caps it).
    while (this.items.length > 1 && (this.items.length > this.maxItems || this.bytes > this.maxBytes)) this.bytes -= this.items.shift()!.bytes;
  }

  newestFirst(): ReceivedNotification[] {
    const out: ReceivedNotification[] = [];
    for (let i = this.items.length - 1; i >= 0; i--) out.push(this.items[i].entry);
    return out;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** Checks the shape Vigil relies on: an object with an `alerts` array of objects. */
export function validateNotification(body: unknown): Record<string, unknown> {
  if (!isObject(body)) {
    throw badRequest('invalid_notification', "expected Grafana's webhook JSON: an object with an 'alerts' array (Content-Type: application/json)", 'body');
  }
  const alerts = body.alerts;
  if (!Array.isArray(alerts)) throw badRequest('invalid_notification', "'alerts' must be an array of alerts", 'body.alerts');
  const bad = alerts.findIndex((a) => !isObject(a));
  if (bad >= 0) throw badRequest('invalid_notification', 'each alert must be an object', `body.alerts[${bad}]`);
  return body;
}

export interface AlertWebhookOptions {
  auth: AuthConfig;
  logger: Logger;
  notifications?: NotificationLog;
}

export function alertWebhookRouter(opts: AlertWebhookOptions): Router {
  const router = Router();
  const kept = opts.notifications ?? new NotificationLog();

  router.post('/alerts/webhook', requireAccess('write', opts.auth), jsonBody, (req: Request, res: Response) => {
    const notification = validateNotification(req.body);
    const alerts = notification.alerts as Record<string, unknown>[];
    const firing = alerts.filter((a) => a.status === 'firing').length;
    kept.add({ received_at: new Date().toISOString(), notification });
    opts.logger.info('alert notification', {
      receiver: str(notification.receiver),
      status: str(notification.status),
      alerts: alerts.length,
      firing,
      resolved: alerts.filter((a) => a.status === 'resolved').length,
      group_key: str(notification.groupKey),
      common_labels: isObject(notification.commonLabels) ? notification.commonLabels : null,
      // Who and what: the labels of the alerts (model, column, metric, alertname, ...), the first few.
      alert_labels: alerts.slice(0, LOGGED_ALERT_LABELS).map((a) => (isObject(a.labels) ? a.labels : null)),
    });
    res.json({ received: alerts.length });
  });

  router.get('/alerts/webhook', requireAccess('read', opts.auth), (_req: Request, res: Response) => {
    res.json({ notifications: kept.newestFirst() });
  });

  return router;
}
