package io.mmsedge.distribution.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.mmsedge.distribution.config.Check.ByteSize;
import io.mmsedge.distribution.config.Check.Matches;
import io.mmsedge.distribution.config.Check.NotEmpty;
import io.mmsedge.distribution.config.Check.Range;

/**
 * The access log (the {@code accessLog} section): one line per played session or player's log,
 * with the fields of the Windows Media Services log, into a file of its own, apart from the
 * application log. Absent: no access-log file (the key=value access lines stay on the console).
 *
 * @param format  {@code w3c} (WMS's W3C extended log, the default) or {@code json} (JSON lines)
 * @param file    the file written; relative to the configuration file's directory
 * @param rolling when the file rolls over; absent = daily, 100m, 30 files kept
 */
public record AccessLogConfig(
        @JsonProperty("format") @Matches(regex = "w3c|json", message = "'w3c' or 'json'") String format,
        @JsonProperty("file") @NotEmpty(message = "the access log's file is required") String file,
        @JsonProperty("rolling") Rolling rolling) {

    public AccessLogConfig {
        format = format == null ? "w3c" : format;
        rolling = rolling == null ? Rolling.DEFAULT : rolling;
    }

    /**
     * @param daily    roll at midnight UTC (a file per day)
     * @param maxSize  roll when the file reaches this size (0 = never by size)
     * @param maxFiles rolled files kept per day (older ones are deleted)
     */
    public record Rolling(@JsonProperty("daily") Boolean daily,
                          @JsonProperty("maxSize") @ByteSize String maxSize,
                          @JsonProperty("maxFiles") @Range(min = 1, max = 10000) Integer maxFiles) {

        static final Rolling DEFAULT = new Rolling(null, null, null);

        public Rolling {
            daily = daily == null || daily;
            maxSize = maxSize == null ? "100m" : maxSize;
            maxFiles = maxFiles == null ? 30 : maxFiles;
        }
    }
}
