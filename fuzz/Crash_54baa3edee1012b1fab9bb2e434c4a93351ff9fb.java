import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

public class Crash_54baa3edee1012b1fab9bb2e434c4a93351ff9fb {
    static final String base64Bytes = String.join("", "Nv//////////MSAxOTIuMTY4LjAuMf///////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////zAgLZycnJycnJycnJycnJycnJycnNycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnJyc0pycnCAtIDAgMCAwIC0gLSAwIDAgLSAwIDAgMCAwIDEgMSAtIDkuMDAuMDAuMjk4MCAt");

    public static void main(String[] args) throws Throwable {
        Crash_54baa3edee1012b1fab9bb2e434c4a93351ff9fb.class.getClassLoader().setDefaultAssertionStatus(true);
        try {
            Method fuzzerInitialize = io.mmsedge.fuzz.ClientLogFuzz.class.getMethod("fuzzerInitialize");
            fuzzerInitialize.invoke(null);
        } catch (NoSuchMethodException ignored) {
            try {
                Method fuzzerInitialize = io.mmsedge.fuzz.ClientLogFuzz.class.getMethod("fuzzerInitialize", String[].class);
                fuzzerInitialize.invoke(null, (Object) args);
            } catch (NoSuchMethodException ignored1) {
            } catch (IllegalAccessException | InvocationTargetException e) {
                e.printStackTrace();
                System.exit(1);
            }
        } catch (IllegalAccessException | InvocationTargetException e) {
            e.printStackTrace();
            System.exit(1);
        }
        byte[] input = java.util.Base64.getDecoder().decode(base64Bytes);
        io.mmsedge.fuzz.ClientLogFuzz.fuzzerTestOneInput(input);
    }
}