package io.tandem.server;

import io.javalin.config.JavalinConfig;
import io.tandem.core.SecurityDef;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/** Where a server listens: its address and port, over plain HTTP or, with {@code security.tls}, HTTPS only. */
final class Listener {

    private Listener() {
    }

    /**
     * Binds {@code cfg}'s Jetty to the options' address and port, with a TLS connector when they ask for one.
     *
     * @throws IllegalArgumentException when the certificate or key cannot be read, naming the file
     */
    static void configure(JavalinConfig cfg, ServerOptions options) {
        cfg.jetty.host = options.bind();
        cfg.jetty.port = options.port();
        SecurityDef.Tls tls = options.security().tls();
        if (tls == null) {
            return;
        }
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keyStore(tls));
        ssl.setKeyStorePassword("");
        cfg.jetty.addConnector((server, http) -> {
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // the Host header is checked by RequestGuard, whatever the certificate
            http.addCustomizer(secure);
            ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(http));
            connector.setHost(options.bind());
            connector.setPort(options.port());
            return connector;
        });
    }

    /** The base URL of a server listening on {@code port}, e.g. {@code https://127.0.0.1:7070}. */
    static String url(ServerOptions options, int port) {
        String host = options.bind().contains(":") ? "[" + options.bind() + "]" : options.bind();
        return (options.tls() ? "https://" : "http://") + host + ":" + port;
    }

    /** A key store holding the PEM key and certificate chain. */
    static KeyStore keyStore(SecurityDef.Tls tls) {
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(tls.certFile())) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("security.tls.cert_file: cannot read a PEM certificate from "
                    + tls.certFile() + ": " + e.getMessage(), e);
        }
        if (chain.length == 0) {
            throw new IllegalArgumentException("security.tls.cert_file: no certificate in " + tls.certFile());
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("tandem", privateKey(tls.keyFile()), new char[0], chain);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("security.tls.key_file: the key in " + tls.keyFile()
                    + " does not go with the certificate in " + tls.certFile() + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) {
        Object pem;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(in)) {
            pem = parser.readObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("security.tls.key_file: cannot read " + file + ": " + e.getMessage(),
                    e);
        }
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (pem instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (pem instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("security.tls.key_file: cannot use the key in " + file + ": "
                    + e.getMessage(), e);
        }
        throw new IllegalArgumentException("security.tls.key_file: " + file + " holds no unencrypted private key "
                + "(expected PEM \"BEGIN PRIVATE KEY\" or \"BEGIN RSA/EC PRIVATE KEY\", got "
                + (pem == null ? "nothing" : pem.getClass().getSimpleName()) + ")");
    }
}
