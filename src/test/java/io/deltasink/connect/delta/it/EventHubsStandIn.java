package io.deltasink.connect.delta.it;

import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;

/**
 * The broker side of an Azure Event Hubs namespace's Kafka endpoint, as far as SASL PLAIN goes: the
 * only user is {@code $ConnectionString}, and its password is the namespace's connection string
 * ({@link #CONNECTION_STRING}, made up). A broker listener uses it as its {@code
 * plain.sasl.server.callback.handler.class}.
 */
public final class EventHubsStandIn implements AuthenticateCallbackHandler {
  /** A connection string of the shape the Azure portal gives (made up: no such namespace). */
  public static final String CONNECTION_STRING =
      "Endpoint=sb://deltasink-test.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
          + "SharedAccessKey=bm90LWEtcmVhbC1rZXktanVzdC1hLXRlc3Q=";

  @Override
  public void configure(
      Map<String, ?> configs,
      String saslMechanism,
      List<AppConfigurationEntry> jaasConfigEntries) {}

  @Override
  public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
    String user = null;
    for (Callback c : callbacks) {
      if (c instanceof NameCallback n) {
        user = n.getDefaultName();
      } else if (c instanceof PlainAuthenticateCallback p) {
        p.authenticated(
            "$ConnectionString".equals(user) && CONNECTION_STRING.equals(new String(p.password())));
      } else {
        throw new UnsupportedCallbackException(c);
      }
    }
  }

  @Override
  public void close() {}
}
