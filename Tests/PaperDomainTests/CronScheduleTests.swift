import PaperKube
import Testing

// MARK: - CronSchedule

@Suite("Cron schedules as Kubernetes and CloudNativePG read them")
struct CronScheduleTests {
    static func t(_ text: String) -> Double { UTCTime.parse(text) ?? 0 }

    @Test func aCronJobScheduleHasFiveFieldsMinuteFirst() throws {
        let daily = try CronSchedule(parsing: "0 4 * * *", dialect: .kubernetes)
        #expect(daily.next(after: Self.t("2026-11-29T04:00:00Z")) == Self.t("2026-11-30T04:00:00Z"))
        #expect(daily.previous(atOrBefore: Self.t("2026-11-29T03:59:59Z")) == Self.t("2026-11-28T04:00:00Z"))
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(parsing: "0 0 4 * * *", dialect: .kubernetes) }
    }

    @Test func aScheduledBackupHasSixFieldsSecondsFirst() throws {
        let daily = try CronSchedule(parsing: "0 0 3 * * *", dialect: .cloudNativePG)
        #expect(daily.next(after: Self.t("2026-11-29T12:00:00Z")) == Self.t("2026-11-30T03:00:00Z"))
        #expect(daily.fieldsGiven == 6)
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(parsing: "0 3 * *", dialect: .cloudNativePG) }
    }

    @Test func fiveFieldsInAScheduledBackupMeanSecondsFirstWithoutDayOfWeek() throws {
        // robfig/cron v1 Parse (DowOptional): "0 3 * * *" is second 0, minute 3, every hour.
        let copied = try CronSchedule(parsing: "0 3 * * *", dialect: .cloudNativePG)
        #expect(copied.fieldsGiven == 5)
        #expect(copied.next(after: Self.t("2026-11-29T12:00:00Z")) == Self.t("2026-11-29T12:03:00Z"))
        #expect(copied.next(after: Self.t("2026-11-29T12:03:00Z")) == Self.t("2026-11-29T13:03:00Z"))
    }

    @Test(arguments: [CronSchedule.Dialect.kubernetes, .cloudNativePG])
    func macrosMeanTheSameInBoth(dialect: CronSchedule.Dialect) throws {
        let daily = try CronSchedule(parsing: "@daily", dialect: dialect)
        #expect(daily.fieldsGiven == 0)
        #expect(daily.next(after: Self.t("2026-11-29T12:00:00Z")) == Self.t("2026-11-30T00:00:00Z"))
        let weekly = try CronSchedule(parsing: "@weekly", dialect: dialect)
        #expect(weekly.next(after: Self.t("2026-11-29T12:00:00Z")) == Self.t("2026-12-06T00:00:00Z"))  // 2026-11-29 is a Sunday
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(parsing: "@every 5m", dialect: dialect) }
    }

    @Test func listsRangesStepsAndNames() throws {
        let s = try CronSchedule(parsing: "*/15 9-17 * * mon-fri", dialect: .kubernetes)
        #expect(s.next(after: Self.t("2026-11-27T17:45:00Z")) == Self.t("2026-11-30T09:00:00Z"))  // Friday evening → Monday
        let months = try CronSchedule(parsing: "0 0 1 jan,jul *", dialect: .kubernetes)
        #expect(months.next(after: Self.t("2026-11-29T00:00:00Z")) == Self.t("2027-01-01T00:00:00Z"))
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothAreRestricted() throws {
        // Vixie cron (and robfig): either may match.
        let s = try CronSchedule(parsing: "0 0 1 * sun", dialect: .kubernetes)
        #expect(s.next(after: Self.t("2026-11-28T12:00:00Z")) == Self.t("2026-11-29T00:00:00Z"))  // Sunday
        #expect(s.next(after: Self.t("2026-11-29T12:00:00Z")) == Self.t("2026-12-01T00:00:00Z"))  // the 1st
    }

    @Test func aTimeZoneMovesFireTimesAndHandlesDaylightSavingChanges() throws {
        let berlin = try CronSchedule(parsing: "30 2 * * *", dialect: .kubernetes, timeZone: "Europe/Berlin")
        // Winter (UTC+1) and summer (UTC+2).
        #expect(berlin.next(after: Self.t("2026-11-29T12:00:00Z")) == Self.t("2026-11-30T01:30:00Z"))
        #expect(berlin.next(after: Self.t("2026-07-01T12:00:00Z")) == Self.t("2026-07-02T00:30:00Z"))
        // 2026-03-29: 02:00 → 03:00, so 02:30 does not exist that day: the next run is the 30th.
        #expect(berlin.next(after: Self.t("2026-03-28T12:00:00Z")) == Self.t("2026-03-30T00:30:00Z"))
        #expect(berlin.previous(atOrBefore: Self.t("2026-03-29T12:00:00Z")) == Self.t("2026-03-28T01:30:00Z"))
        // 2026-10-25: 03:00 → 02:00, so 02:30 happens twice: it fires at the first.
        #expect(berlin.next(after: Self.t("2026-10-24T12:00:00Z")) == Self.t("2026-10-25T00:30:00Z"))
        #expect(berlin.next(after: Self.t("2026-10-25T00:30:00Z")) == Self.t("2026-10-26T01:30:00Z"))
        #expect(try CronSchedule(parsing: "0 4 * * *", dialect: .kubernetes, timeZone: "UTC").timeZone == nil)
    }

    @Test(arguments: [
        ("0 0 25 * * *", "hours value out of range 0-23"),
        ("0 0 3 * * funday", "bad value \"funday\" in day of week field"),
        ("0 */0 3 * * *", "bad step in minutes field"),
    ])
    func badFieldsSayWhich(text: String, reason: String) {
        #expect {
            try CronSchedule(parsing: text, dialect: .cloudNativePG)
        } throws: { error in
            (error as? CronSchedule.ParseError)?.reason.contains(reason) == true
        }
    }
}
