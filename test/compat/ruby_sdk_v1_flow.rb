# The AWS SDK for Ruby v1 (Debian's ruby-aws-sdk), set up as Riak CS's documentation set it
# up (s3_force_path_style, plain HTTP, Signature V2): create and delete a bucket, put, get,
# list and delete objects, bucket and object ACLs, a multipart upload; run by
# test/integration/compat.test.ts against a real cairn process.
#
# Debian's ruby-aws-sdk 1.67 calls URI.escape, which Ruby 3.0 removed; it is restored here
# exactly as Ruby 2 defined it (a client-side fix: no server could make the SDK run without).
require 'uri'
unless URI.respond_to?(:escape)
  module URI
    def self.escape(*args) = DEFAULT_PARSER.escape(*args)
  end
end
require 'aws-sdk'
require 'digest'

def check(condition, what)
  raise "ruby flow: #{what}" unless condition
end

AWS.config(
  access_key_id: ENV.fetch('AWS_ACCESS_KEY_ID'),
  secret_access_key: ENV.fetch('AWS_SECRET_ACCESS_KEY'),
  s3_endpoint: '127.0.0.1',
  s3_port: Integer(ENV.fetch('PORT')),
  use_ssl: false,
  s3_force_path_style: true
)
s3 = AWS::S3.new
check(s3.buckets.map(&:name) == [], 'a new user has no buckets')
bucket = s3.buckets.create('rubybucket')
check(s3.buckets.map(&:name) == ['rubybucket'], 'the bucket is listed')
check(bucket.exists?, 'the bucket exists')

hello = bucket.objects['hello world.txt']
hello.write('hello from ruby', content_type: 'text/plain', metadata: { 'colour' => 'blue' })
check(hello.read == 'hello from ruby', 'an object reads back')
check(hello.metadata['colour'] == 'blue', 'metadata reads back')
check(hello.content_type == 'text/plain', 'the content type reads back')
bucket.objects['docs/ünïcode.txt'].write('non-ascii key')
check(bucket.objects.map(&:key).sort == ['docs/ünïcode.txt', 'hello world.txt'], 'listing')
check(bucket.objects.with_prefix('docs/').map(&:key) == ['docs/ünïcode.txt'], 'prefix listing')

# ACLs: canned on the bucket and an object, read back as grants.
bucket.acl = :public_read
grants = bucket.acl.grants.map { |g| [g.grantee.uri, g.permission.name] }
check(grants.include?(['http://acs.amazonaws.com/groups/global/AllUsers', :read]), 'bucket ACL')
hello.acl = :public_read
check(hello.acl.grants.any? { |g| g.grantee.uri.to_s.end_with?('AllUsers') }, 'object ACL')
owner = bucket.acl.owner.id
check(owner.is_a?(String) && owner.length == 64, 'the ACL names its owner')
hello.acl = :private
check(hello.acl.grants.none? { |g| g.grantee.uri.to_s.end_with?('AllUsers') }, 'private again')

# Multipart: two parts, the first at the 5 MiB minimum.
first = Random.new(7).bytes(5 * 1024 * 1024)
last = 'tail' * 100
big = bucket.objects['multi/big.bin']
big.multipart_upload do |upload|
  upload.add_part(first)
  upload.add_part(last)
end
check(big.content_length == first.bytesize + last.bytesize, 'multipart size')
check(big.etag.delete('"').end_with?('-2'), "multipart ETag #{big.etag}")
check(Digest::MD5.hexdigest(big.read) == Digest::MD5.hexdigest(first + last), 'multipart bytes')
aborted = bucket.objects['multi/aborted'].multipart_upload
aborted.add_part('x' * 100)
aborted.abort
check(bucket.multipart_uploads.to_a.empty?, 'no upload left')

bucket.objects.each(&:delete)
check(bucket.objects.to_a.empty?, 'objects deleted')
bucket.delete
check(!bucket.exists?, 'the bucket is gone')
puts 'ruby sdk v1 flow OK'
