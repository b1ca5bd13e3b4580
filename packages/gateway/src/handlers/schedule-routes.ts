import { CreateScheduleSchema, ScheduleIdSchema, UpdateScheduleSchema } from "@serverless-openclaw/shared";
import type { GatewayServices } from "../services";
import { body, check, type RouteRequest, type RouteTable } from "./http-request";
import { json, noContent } from "./http-response";

export type ScheduleRouteName = "listSchedules" | "createSchedule" | "updateSchedule" | "deleteSchedule";

const scheduleId = ({ params }: RouteRequest) => check(ScheduleIdSchema, params.scheduleId, 400);

/** Scheduled prompts (docs/schedules.md). */
export function scheduleRoutes(services: GatewayServices): RouteTable<ScheduleRouteName> {
  return {
    listSchedules: async ({ user }) => json(200, { schedules: await services.schedules.list(user.userId) }),
    createSchedule: async ({ event, user }) =>
      json(201, await services.schedules.create(user.userId, body(event, CreateScheduleSchema))),
    updateSchedule: async (request) => {
      const id = scheduleId(request);
      const update = body(request.event, UpdateScheduleSchema);
      return json(200, await services.schedules.update(request.user.userId, id, update));
    },
    deleteSchedule: async (request) => {
      await services.schedules.delete(request.user.userId, scheduleId(request));
      return noContent();
    },
  };
}
