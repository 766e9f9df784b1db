/**
 * PutBucketWebsite's document: what AWS accepts is stored as given and rendered back; what
 * it refuses is refused with AWS's code (MalformedXML for a wrong shape, InvalidArgument or
 * MalformedXML for values, with AWS's words).
 */
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../../src/http/errors.js';
import { parseWebsiteXml, renderWebsiteXml } from '../../../src/s3/website-xml.js';

const NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const wrap = (inner: string) =>
  `<WebsiteConfiguration xmlns="${NAMESPACE}">${inner}</WebsiteConfiguration>`;

function refusal(body: string): { code: string; message: string } {
  try {
    parseWebsiteXml(body);
  } catch (error) {
    if (error instanceof S3Error) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

const rule = (inner: string) => `<RoutingRules><RoutingRule>${inner}</RoutingRule></RoutingRules>`;
const INDEX = '<IndexDocument><Suffix>index.html</Suffix></IndexDocument>';

describe('parseWebsiteXml', () => {
  it('reads the AWS documentation example with routing rules', () => {
    const config = parseWebsiteXml(
      wrap(
        INDEX +
          '<ErrorDocument><Key>Error.html</Key></ErrorDocument>' +
          '<RoutingRules><RoutingRule><Condition><KeyPrefixEquals>docs/</KeyPrefixEquals>' +
          '</Condition><Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith>' +
          '</Redirect></RoutingRule><RoutingRule><Condition>' +
          '<HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>' +
          '<Redirect><HostName>ec2-11-22-333-44.compute-1.amazonaws.com</HostName>' +
          '<ReplaceKeyPrefixWith>report-404/</ReplaceKeyPrefixWith>' +
          '<HttpRedirectCode>302</HttpRedirectCode><Protocol>https</Protocol></Redirect>' +
          '</RoutingRule></RoutingRules>',
      ),
    );
    expect(config).toEqual({
      indexSuffix: 'index.html',
      errorKey: 'Error.html',
      routingRules: [
        {
          condition: { keyPrefixEquals: 'docs/' },
          redirect: { replaceKeyPrefixWith: 'documents/' },
        },
        {
          condition: { httpErrorCodeReturnedEquals: 404 },
          redirect: {
            hostName: 'ec2-11-22-333-44.compute-1.amazonaws.com',
            replaceKeyPrefixWith: 'report-404/',
            httpRedirectCode: 302,
            protocol: 'https',
          },
        },
      ],
    });
    expect(parseWebsiteXml(renderWebsiteXml(config))).toEqual(config);
  });

  it('reads RedirectAllRequestsTo, alone', () => {
    const config = parseWebsiteXml(
      wrap(
        '<RedirectAllRequestsTo><HostName>example.com</HostName>' +
          '<Protocol>https</Protocol></RedirectAllRequestsTo>',
      ),
    );
    expect(config).toEqual({ redirectAll: { hostName: 'example.com', protocol: 'https' } });
    expect(renderWebsiteXml(config)).toContain(
      '<RedirectAllRequestsTo><HostName>example.com</HostName><Protocol>https</Protocol>',
    );
    expect(
      refusal(
        wrap(
          '<RedirectAllRequestsTo><HostName>a.com</HostName>' + INDEX + '</RedirectAllRequestsTo>',
        ),
      ),
    ).toMatchObject({ code: 'MalformedXML' });
    expect(
      refusal(
        wrap('<RedirectAllRequestsTo><HostName>a.com</HostName></RedirectAllRequestsTo>' + INDEX),
      ),
    ).toEqual({
      code: 'InvalidArgument',
      message: 'RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.',
    });
  });

  it('refuses malformed documents and unknown elements as MalformedXML', () => {
    for (const body of [
      '<WebsiteConfiguration><IndexDocument>',
      '<Other/>',
      wrap('<IndexDocument><Suffix>i</Suffix><Extra>1</Extra></IndexDocument>'),
      wrap(INDEX + '<Logging/>'),
      wrap(INDEX + rule('<Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition>')),
      '<!DOCTYPE x [<!ENTITY e "x">]>' + wrap(INDEX),
    ]) {
      expect(refusal(body).code, body).toBe('MalformedXML');
    }
  });

  it('refuses values AWS refuses, with its words', () => {
    const cases: [string, string][] = [
      ['', 'A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty'],
      [
        '<IndexDocument><Suffix></Suffix></IndexDocument>',
        'The IndexDocument Suffix is not well formed',
      ],
      [
        '<IndexDocument><Suffix>a/b.html</Suffix></IndexDocument>',
        'The IndexDocument Suffix is not well formed',
      ],
      [
        INDEX + rule('<Redirect><HttpRedirectCode>300</HttpRedirectCode></Redirect>'),
        'The provided HTTP redirect code (300) is not valid. Valid codes are 3XX except 300.',
      ],
      [
        INDEX +
          rule(
            '<Condition><HttpErrorCodeReturnedEquals>302</HttpErrorCodeReturnedEquals>' +
              '</Condition><Redirect><HostName>a.com</HostName></Redirect>',
          ),
        'The provided HTTP error code (302) is not valid. Valid codes are 4XX or 5XX.',
      ],
      [
        INDEX + rule('<Redirect><Protocol>ftp</Protocol></Redirect>'),
        'Invalid protocol, protocol can be http or https. If not defined the protocol will be ' +
          'selected automatically.',
      ],
      [
        INDEX +
          rule(
            '<Redirect><ReplaceKeyWith>a</ReplaceKeyWith>' +
              '<ReplaceKeyPrefixWith>b</ReplaceKeyPrefixWith></Redirect>',
          ),
        'You can only define ReplaceKeyPrefix or ReplaceKey but not both.',
      ],
      [
        INDEX + rule('<Condition></Condition><Redirect><HostName>a.com</HostName></Redirect>'),
        'Condition cannot be empty. To redirect all requests without a condition, the ' +
          "condition element shouldn't be present.",
      ],
      [INDEX + rule('<Redirect></Redirect>'), 'The Redirect element cannot be empty.'],
      [
        INDEX + rule('<Redirect><HostName>a.com/path</HostName></Redirect>'),
        'The HostName is not a valid host name.',
      ],
    ];
    for (const [inner, message] of cases) {
      expect(refusal(wrap(inner)), inner).toEqual({ code: 'InvalidArgument', message });
    }
  });

  it('takes at most 50 routing rules', () => {
    const rules = (n: number) =>
      '<RoutingRules>' +
      '<RoutingRule><Redirect><HostName>a.com</HostName></Redirect></RoutingRule>'.repeat(n) +
      '</RoutingRules>';
    expect(parseWebsiteXml(wrap(INDEX + rules(50))).routingRules).toHaveLength(50);
    expect(refusal(wrap(INDEX + rules(51))).code).toBe('InvalidArgument');
  });
});
